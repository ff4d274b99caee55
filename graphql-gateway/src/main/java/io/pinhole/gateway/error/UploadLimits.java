package io.pinhole.gateway.error;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MaxUploadSizeExceededException;

/**
 * A multipart request over the upload limits ({@code spring.servlet.multipart.*}: svc-media's 20 MB per file) fails
 * before GraphQL runs. Instead of the container's bare 413 it answers 413 with a GraphQL response body a client
 * understands: {@code data: null} and one BAD_USER_INPUT error naming {@code file}.
 */
@RestControllerAdvice
public class UploadLimits {

    static final String MESSAGE = "file is too large: at most 20 MB (20,971,520 bytes)";

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<Map<String, Object>> tooLarge(MaxUploadSizeExceededException exception) {
        final Map<String, Object> error = Map.of(
                "message", MESSAGE,
                "extensions", Map.of(GraphQlErrors.CODE, ErrorCode.BAD_USER_INPUT.name(),
                                     GraphQlErrors.FIELDS, List.of(Map.of("field", "file", "description",
                                                                          "must be at most 20 MB"))));
        final Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("errors", List.of(error));
        body.put("data", null);
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
