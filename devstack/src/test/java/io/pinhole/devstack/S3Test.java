package io.pinhole.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.S3Exception;

@ExtendWith(DevstackExtension.class)
class S3Test {

    private static S3Server s3;
    private static S3Client client;

    @BeforeAll
    static void start(Devstack devstack) {
        s3 = devstack.s3();
        client = client(s3.secretKey());
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @Test
    void putThenGet_withTheAwsSdk_returnsTheBytes() {
        s3.createBucket("devstack-photos");
        final byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2, 3, (byte) 0xFF, (byte) 0xD9};

        client.putObject(put -> put.bucket("devstack-photos").key("u/42/m/7/standard.jpg").contentType("image/jpeg"),
                RequestBody.fromBytes(jpeg));

        assertThat(client.getObjectAsBytes(get -> get.bucket("devstack-photos").key("u/42/m/7/standard.jpg"))
                .asByteArray()).isEqualTo(jpeg);
        assertThat(client.headObject(head -> head.bucket("devstack-photos").key("u/42/m/7/standard.jpg"))
                .contentType()).isEqualTo("image/jpeg");
    }

    @Test
    void createBucket_twice_isIdempotent() {
        s3.createBucket("devstack-twice");
        s3.createBucket("devstack-twice");

        assertThat(client.listBuckets().buckets()).extracting(Bucket::name).contains("devstack-twice");
    }

    @Test
    void requestSignedWithTheWrongSecret_isRejected() {
        s3.createBucket("devstack-private");
        try (S3Client intruder = client("not-the-secret")) {
            assertThatThrownBy(() -> intruder.listObjectsV2(list -> list.bucket("devstack-private")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }

    @Test
    void environment_namesTheEndpointCredentialsAndBucket() {
        assertThat(s3.environment("devstack-env"))
                .containsEntry("PINHOLE_S3_ENDPOINT", "http://127.0.0.1:" + s3.port())
                .containsEntry("PINHOLE_S3_REGION", "us-east-1")
                .containsEntry("PINHOLE_S3_ACCESS_KEY", s3.accessKey())
                .containsEntry("PINHOLE_S3_SECRET_KEY", s3.secretKey())
                .containsEntry("PINHOLE_S3_BUCKET", "devstack-env");
        assertThat(client.listBuckets().buckets()).extracting(Bucket::name).contains("devstack-env");
    }

    private static S3Client client(String secretKey) {
        return S3Client.builder()
                .endpointOverride(s3.endpoint())
                .region(Region.of(s3.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKey(), secretKey)))
                .forcePathStyle(true)
                .build();
    }
}
