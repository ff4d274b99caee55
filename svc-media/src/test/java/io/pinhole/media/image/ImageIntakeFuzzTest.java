package io.pinhole.media.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.Status;
import io.pinhole.platform.error.PinholeException;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;

/**
 * Every upload reaches the intake as bytes the client chose: whatever they are, the intake answers a full rendition
 * set or the refusal that svc-media turns into INVALID_ARGUMENT on the bytes' field — never another exception, an
 * {@link Error} included (an OutOfMemoryError or a StackOverflowError in a decoder would fail the call as INTERNAL).
 *
 * <p>The corpus ({@code src/test/resources/.../ImageIntakeFuzzTestInputs}) starts from small valid JPEG (with EXIF
 * orientation), CMYK JPEG, PNG, GIF and WebP files and a PNG header declaring 20000×20000, and runs in every build.
 * {@code JAZZER_FUZZ=1} fuzzes; see docs/reliability.md for the small heap and the instrumented decoder packages.
 * {@link #BOUND} limits each input in both modes: a decoder that loops on hostile input is a finding, not a slow
 * test. (A JUnit {@code @Timeout} would not do: Jazzer passes it to libFuzzer, but JUnit also applies it to the
 * whole fuzzing run and fails it.)
 */
class ImageIntakeFuzzTest {

    /** The production limits: the property must hold for what svc-media actually accepts. */
    private static final ImageIntake INTAKE = ImageIntake.of(ImageLimits.defaults());

    /** A 20 MiB photo takes well under a second here; ten times the worst legitimate case. */
    private static final Duration BOUND = Duration.ofSeconds(10);

    @FuzzTest(maxDuration = "30s")
    void anyUploadGivesRenditionsOrAPreciseRefusal(byte[] upload) {
        final Object outcome = Assertions.assertTimeoutPreemptively(BOUND, () -> {
            try {
                return INTAKE.process(upload);
            } catch (ImageRejectedException refused) {
                return refused;
            }
        });
        if (outcome instanceof ImageRejectedException refused) {
            assertThat(refused.reason()).isNotNull();
            assertThat(refused.field()).isEqualTo(ImageRejectedException.CONTENT_FIELD);
            // The message goes to the client as the field violation's description: no decoder internals in it.
            assertThat(refused.getMessage()).isNotBlank().doesNotContain("Exception", "java.", "javax.", "com.");
            final PinholeException answered = PinholeException.invalidArgument("chunk", refused.getMessage());
            assertThat(answered.toStatusProto().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
            return;
        }
        final ProcessedImage image = (ProcessedImage) outcome;
        assertThat(image.original()).isSameAs(upload);
        assertThat(ImageType.sniff(upload)).contains(image.type());
        assertThat(image.width()).isPositive();
        assertThat(image.height()).isPositive();
        assertThat((long) image.width() * image.height()).isLessThanOrEqualTo(INTAKE.limits().maxPixels());
        assertThat(image.renditions()).extracting(Rendition::kind).containsExactly(RenditionKind.values());
        for (Rendition rendition : image.renditions()) {
            assertThat(rendition.width()).isBetween(1, rendition.kind().width());
            assertThat(rendition.height()).isPositive();
            if (rendition.kind().square()) {
                assertThat(rendition.height()).isEqualTo(rendition.width());
            }
            assertThat(ImageType.sniff(rendition.jpeg())).contains(ImageType.JPEG);
        }
    }
}
