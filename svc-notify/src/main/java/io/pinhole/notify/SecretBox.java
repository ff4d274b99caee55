package io.pinhole.notify;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encryption at rest of access tokens and signing secrets: AES-GCM with a 96-bit random nonce and a 128-bit tag.
 * Stored form: {@code 0x01 | nonce | ciphertext+tag}; the leading version byte leaves room for key rotation. The
 * associated data names the row the secret belongs to ({@code sharing:<user>:<provider>}), so a ciphertext copied
 * into another row does not decrypt.
 */
final class SecretBox {

    private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();

    private SecretBox(byte[] key) {
        if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new IllegalArgumentException("PINHOLE_NOTIFY_ENCRYPTION_KEY must be 16, 24 or 32 bytes in base64");
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /** The configured key (base64), or a fixed development key with a warning when none is configured. */
    static SecretBox of(Optional<String> base64Key) {
        if (base64Key.isPresent()) {
            return new SecretBox(Base64.getDecoder().decode(base64Key.get()));
        }
        log.warn("PINHOLE_NOTIFY_ENCRYPTION_KEY is not set: using the development key; set it in production");
        try {
            return new SecretBox(MessageDigest.getInstance("SHA-256")
                                              .digest("pinhole-development-only".getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] seal(String plaintext, String associatedData) {
        final byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            final byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    String open(byte[] stored, String associatedData) {
        if (stored.length < 1 + NONCE_BYTES || stored[0] != VERSION) {
            throw new IllegalStateException("unknown secret format");
        }
        try {
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 1, NONCE_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(stored, 1 + NONCE_BYTES, stored.length - 1 - NONCE_BYTES),
                              StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored secret does not decrypt with the configured key", e);
        }
    }
}
