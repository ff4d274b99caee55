package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import io.grpc.Status;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.pinhole.identity.v1.IdentityServiceGrpc;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.testing.RunningService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every public RPC of every service, fed malformed and hostile protobuf messages over raw gRPC (bytes the client
 * chose, framed by hand: nothing a generated stub would refuse to send). The RPCs are discovered from the generated
 * {@code *Grpc} classes of the proto module, so a new RPC is covered without touching this test; each is sent to
 * whichever of the five real services serves it (the ones that answer a gRPC status other than UNIMPLEMENTED).
 *
 * <p>The rule: every call ends, within {@link #BOUND}, with a status other than INTERNAL or UNKNOWN (those mean a bug
 * or a lost call), its message names no Java class or stack frame, and a message the generated parser cannot read
 * gets INVALID_ARGUMENT. The cases are generated from a fixed seed: a failure reproduces.
 */
class MalformedProtobufTest {

    private static final long SEED = 0x5EED_12L;
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final int RANDOM_MESSAGES = 6;
    private static final List<Status.Code> BUGS = List.of(Status.Code.INTERNAL, Status.Code.UNKNOWN);

    @Test
    void everyRpc_answersMalformedMessagesWithAPreciseStatus_neverInternal() throws Exception {
        final Map<String, RunningService> servers = new LinkedHashMap<>();
        servers.put("identity", RealIdentity.service());
        servers.put("media", RealStack.media());
        servers.put("feed", RealStack.feed());
        servers.put("geo", RealStack.geo());
        servers.put("notify", RealStack.notifyService());
        // A real user: calls get past "who is calling" into the handlers, where field values matter.
        final long viewer = RealIdentity.newAccount("malformed").id();
        final Random random = new Random(SEED);

        final List<String> failures = new ArrayList<>();
        final Map<String, Integer> casesPerRpc = new TreeMap<>();
        final TreeSet<String> unserved = new TreeSet<>();
        int calls = 0;
        for (ServiceDescriptor service : pinholeServices()) {
            boolean served = false;
            for (Map.Entry<String, RunningService> server : servers.entrySet()) {
                final WebClient client = WebClient.builder(server.getValue().baseUrl())
                        .responseTimeout(BOUND).build();
                final MethodDescriptor first = service.getMethods().get(0);
                // Armeria answers a service it does not serve with HTTP 404 and no gRPC status.
                final Status.Code probe = call(client, first, frame(new byte[0]), viewer).code();
                if (probe == null || probe == Status.Code.UNIMPLEMENTED) {
                    continue;
                }
                served = true;
                for (MethodDescriptor method : service.getMethods()) {
                    final Message.Builder prototype = prototypeOf(method);
                    final List<Case> cases = cases(method.getInputType(), random);
                    for (Case malformed : cases) {
                        final byte[] body = malformed.frameLevel() ? malformed.bytes() : frame(malformed.bytes());
                        final Answer answer = call(client, method, body, malformed.anonymous() ? null : viewer);
                        calls++;
                        final String where = server.getKey() + " " + method.getFullName() + " [" + malformed.name()
                                + "] " + answer;
                        if (answer.code() == null || BUGS.contains(answer.code())) {
                            failures.add(where);
                        } else if (answer.message().matches("(?s).*(Exception|\\bat [a-z]+\\.[a-z]+\\.|\\.java:\\d).*")) {
                            failures.add(where + " (leaks an exception)");
                        } else if (!malformed.frameLevel() && !parses(prototype, malformed.bytes())
                                   && answer.code() != Status.Code.INVALID_ARGUMENT) {
                            failures.add(where + " (unparsable, expected INVALID_ARGUMENT)");
                        }
                    }
                    casesPerRpc.merge(server.getKey() + " " + method.getFullName(), cases.size(), Integer::sum);
                }
            }
            if (!served) {
                unserved.add(service.getFullName());
            }
        }

        // The count goes to docs/reliability.md; a generated service no server adds (QueueAdminService until a
        // consumer wires it) has no public RPC to try.
        System.out.printf("MalformedProtobufTest: %d calls to %d RPCs, %d failures; served by none: %s%n", calls,
                          casesPerRpc.size(), failures.size(), unserved);
        assertThat(failures).as("calls answered with a bug's status, a leak or the wrong code").isEmpty();
        assertThat(casesPerRpc).as("RPCs covered").hasSizeGreaterThanOrEqualTo(50);
        assertThat(pinholeServices().size() - unserved.size()).as("services served").isGreaterThanOrEqualTo(5);
    }

    // --- discovery ---------------------------------------------------------------------------------------------

    /** The services of every generated {@code io.pinhole.*Grpc} class in the proto module, by name. */
    static List<ServiceDescriptor> pinholeServices() throws IOException, URISyntaxException {
        final Path location = Path.of(IdentityServiceGrpc.class.getProtectionDomain().getCodeSource().getLocation()
                                              .toURI());
        final List<String> classes = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                files.map(file -> location.relativize(file).toString().replace('\\', '/')).forEach(classes::add);
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                jar.stream().map(entry -> entry.getName()).forEach(classes::add);
            }
        }
        final List<ServiceDescriptor> services = new ArrayList<>();
        for (String name : classes) {
            if (name.startsWith("io/pinhole/") && name.endsWith("Grpc.class") && !name.contains("$")) {
                try {
                    final Class<?> grpc = Class.forName(name.replace('/', '.').replace(".class", ""));
                    final io.grpc.ServiceDescriptor descriptor =
                            (io.grpc.ServiceDescriptor) grpc.getMethod("getServiceDescriptor").invoke(null);
                    services.add(((ProtoServiceDescriptorSupplier) descriptor.getSchemaDescriptor())
                                         .getServiceDescriptor());
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError("cannot read the service of " + name, e);
                }
            }
        }
        services.sort((a, b) -> a.getFullName().compareTo(b.getFullName()));
        assertThat(services).as("generated services found at " + location).hasSizeGreaterThanOrEqualTo(6);
        return services;
    }

    /** A builder of the generated request class: parsing with it is exactly what the server does. */
    private static Message.Builder prototypeOf(MethodDescriptor method) {
        final String javaName = method.getFile().getOptions().getJavaPackage() + "."
                                + method.getInputType().getName();
        try {
            return ((Message) Class.forName(javaName).getMethod("getDefaultInstance").invoke(null)).newBuilderForType();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no generated class " + javaName, e);
        }
    }

    private static boolean parses(Message.Builder prototype, byte[] bytes) {
        try {
            prototype.clone().clear().mergeFrom(bytes).build();
            return true;
        } catch (InvalidProtocolBufferException | com.google.protobuf.UninitializedMessageException e) {
            return false;
        }
    }

    // --- the cases ---------------------------------------------------------------------------------------------

    /**
     * One malformed request: the message bytes (framed by the test) or, when {@code frameLevel}, the whole gRPC body.
     */
    record Case(String name, byte[] bytes, boolean frameLevel, boolean anonymous) {
        static Case of(String name, byte[] bytes) {
            return new Case(name, bytes, false, false);
        }
    }

    static List<Case> cases(Descriptor type, Random random) {
        final List<Case> cases = new ArrayList<>();
        cases.add(Case.of("empty", new byte[0]));
        cases.add(new Case("empty, anonymous", new byte[0], false, true));
        for (int i = 0; i < RANDOM_MESSAGES; i++) {
            final byte[] noise = new byte[1 + random.nextInt(i < 3 ? 16 : 512)];
            random.nextBytes(noise);
            cases.add(Case.of("random bytes " + i, noise));
        }
        final byte[] valid = populated(type, random, 0).toByteArray();
        if (valid.length > 1) {
            for (int cut : new int[] {1, valid.length / 2, valid.length - 1}) {
                cases.add(Case.of("valid message cut at " + cut + "/" + valid.length, Arrays.copyOf(valid, cut)));
            }
        }
        for (FieldDescriptor field : type.getFields()) {
            cases.add(Case.of("wrong wire type for " + field.getName(), wrongWireType(field)));
            if (field.getJavaType() == FieldDescriptor.JavaType.ENUM) {
                for (int number : new int[] {999, -1, Integer.MAX_VALUE}) {
                    cases.add(Case.of(field.getName() + " = enum number " + number,
                                      concat(valid, varintField(field.getNumber(), number))));
                }
            }
            if (isInteger(field)) {
                for (long number : new long[] {-1, 0, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE}) {
                    cases.add(Case.of(field.getName() + " = " + number,
                                      concat(valid, integerField(field, number))));
                }
            }
        }
        final int someField = type.getFields().isEmpty() ? 1 : type.getFields().get(0).getNumber();
        cases.add(Case.of("length prefix 2^31-1", lengthDelimited(someField, Integer.MAX_VALUE, 8)));
        cases.add(Case.of("length prefix 2^63-1", lengthDelimited(someField, Long.MAX_VALUE, 8)));
        cases.add(Case.of("negative length prefix", lengthDelimited(someField, -5, 8)));
        cases.add(Case.of("unknown fields of every wire type", concat(valid, unknownFields())));
        cases.add(Case.of("unknown groups nested 200 deep", nestedGroups(200)));
        cases.add(Case.of("field number 0", new byte[] {0x00, 0x01}));
        cases.add(Case.of("end-group without start", new byte[] {0x0C}));
        cases.add(Case.of("varint of 11 bytes", concat(new byte[] {0x08}, repeat((byte) 0xFF, 10), new byte[] {1})));
        final byte[] framed = frame(valid);
        cases.add(new Case("gRPC frame shorter than its length prefix", Arrays.copyOf(framed, framed.length - 1 < 5
                ? 5 : framed.length - 1), true, false));
        cases.add(new Case("gRPC frame declaring 2 GiB", frame(valid, 0, Integer.MAX_VALUE), true, false));
        cases.add(new Case("gRPC frame marked compressed, no encoding", frame(valid, 1, valid.length), true, false));
        cases.add(new Case("gRPC body of 3 bytes", new byte[] {0, 0, 0}, true, false));
        return cases;
    }

    /** A message with every field set to random values (nested messages to depth 2, up to 3 repeated values). */
    private static DynamicMessage populated(Descriptor type, Random random, int depth) {
        final DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
        for (FieldDescriptor field : type.getFields()) {
            if (field.getRealContainingOneof() != null && random.nextBoolean()) {
                continue;
            }
            if (field.isMapField()) {
                continue;
            }
            final int count = field.isRepeated() ? random.nextInt(4) : 1;
            for (int i = 0; i < count; i++) {
                final Object value = randomValue(field, random, depth);
                if (value == null) {
                    break;
                }
                if (field.isRepeated()) {
                    message.addRepeatedField(field, value);
                } else {
                    message.setField(field, value);
                }
            }
        }
        return message.build();
    }

    private static Object randomValue(FieldDescriptor field, Random random, int depth) {
        return switch (field.getJavaType()) {
            case INT -> random.nextInt();
            case LONG -> random.nextBoolean() ? random.nextLong() : (long) random.nextInt(1_000_000);
            case FLOAT -> random.nextFloat() * 400 - 200;
            case DOUBLE -> random.nextDouble() * 400 - 200;
            case BOOLEAN -> random.nextBoolean();
            case STRING -> randomText(random);
            case BYTE_STRING -> ByteString.copyFrom(randomText(random).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            case ENUM -> {
                final EnumDescriptor values = field.getEnumType();
                yield values.getValues().get(random.nextInt(values.getValues().size()));
            }
            case MESSAGE -> depth >= 2 ? null : populated(field.getMessageType(), random, depth + 1);
        };
    }

    private static String randomText(Random random) {
        final String[] samples = {"", "a", "ünïcödé 🎉", "../../etc/passwd", "http://169.254.169.254/latest",
                "x".repeat(300), "%00\u0000", "'; DROP TABLE users; --", "#tag @user"};
        return samples[random.nextInt(samples.length)];
    }

    private static boolean isInteger(FieldDescriptor field) {
        return field.getJavaType() == FieldDescriptor.JavaType.INT
               || field.getJavaType() == FieldDescriptor.JavaType.LONG;
    }

    /** The field's number with a wire type its type does not use, followed by a plausible payload. */
    private static byte[] wrongWireType(FieldDescriptor field) {
        final int expected = field.isPackable() && field.isPacked() ? WireFormat.WIRETYPE_LENGTH_DELIMITED
                : field.getLiteType().getWireType();
        final int wrong = expected == WireFormat.WIRETYPE_LENGTH_DELIMITED ? WireFormat.WIRETYPE_FIXED32
                : expected == WireFormat.WIRETYPE_VARINT ? WireFormat.WIRETYPE_FIXED64
                : WireFormat.WIRETYPE_LENGTH_DELIMITED;
        final byte[] payload = wrong == WireFormat.WIRETYPE_LENGTH_DELIMITED ? new byte[] {3, 'a', 'b', 'c'}
                : wrong == WireFormat.WIRETYPE_FIXED32 ? new byte[] {1, 2, 3, 4} : new byte[] {1, 2, 3, 4, 5, 6, 7, 8};
        return concat(tag(field.getNumber(), wrong), payload);
    }

    private static byte[] integerField(FieldDescriptor field, long value) {
        return switch (field.getLiteType().getWireType()) {
            case WireFormat.WIRETYPE_FIXED32 -> encode(out -> {
                out.writeTag(field.getNumber(), WireFormat.WIRETYPE_FIXED32);
                out.writeFixed32NoTag((int) value);
            });
            case WireFormat.WIRETYPE_FIXED64 -> encode(out -> {
                out.writeTag(field.getNumber(), WireFormat.WIRETYPE_FIXED64);
                out.writeFixed64NoTag(value);
            });
            default -> field.getType() == FieldDescriptor.Type.SINT32 || field.getType() == FieldDescriptor.Type.SINT64
                    ? encode(out -> {
                        out.writeTag(field.getNumber(), WireFormat.WIRETYPE_VARINT);
                        out.writeSInt64NoTag(value);
                    })
                    : varintField(field.getNumber(), value);
        };
    }

    private static byte[] varintField(int number, long value) {
        return encode(out -> {
            out.writeTag(number, WireFormat.WIRETYPE_VARINT);
            out.writeUInt64NoTag(value);
        });
    }

    private static byte[] lengthDelimited(int number, long declared, int actual) {
        return encode(out -> {
            out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt64NoTag(declared);
            out.writeRawBytes(new byte[actual]);
        });
    }

    private static byte[] unknownFields() {
        return encode(out -> {
            out.writeUInt64(9_001, -1L);
            out.writeFixed64(9_002, Long.MIN_VALUE);
            out.writeBytes(9_003, ByteString.copyFrom(new byte[300]));
            out.writeFixed32(9_004, -1);
            out.writeTag(9_005, WireFormat.WIRETYPE_START_GROUP);
            out.writeUInt64(1, 7);
            out.writeTag(9_005, WireFormat.WIRETYPE_END_GROUP);
            out.writeUInt64(536_870_911, 1); // the largest legal field number
        });
    }

    private static byte[] nestedGroups(int depth) {
        return encode(out -> {
            for (int i = 0; i < depth; i++) {
                out.writeTag(9_999, WireFormat.WIRETYPE_START_GROUP);
            }
            for (int i = 0; i < depth; i++) {
                out.writeTag(9_999, WireFormat.WIRETYPE_END_GROUP);
            }
        });
    }

    private static byte[] tag(int number, int wireType) {
        return encode(out -> out.writeTag(number, wireType));
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] encode(Writer writer) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            writer.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] repeat(byte value, int count) {
        final byte[] bytes = new byte[count];
        Arrays.fill(bytes, value);
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    // --- raw gRPC ------------------------------------------------------------------------------------------------

    private static byte[] frame(byte[] message) {
        return frame(message, 0, message.length);
    }

    /** A gRPC length-prefixed message: compressed flag, 4-byte big-endian length, then the bytes. */
    private static byte[] frame(byte[] message, int compressed, int declaredLength) {
        return ByteBuffer.allocate(5 + message.length).put((byte) compressed).putInt(declaredLength).put(message)
                .array();
    }

    record Answer(Status.Code code, String message, int httpStatus) {
        @Override
        public String toString() {
            return "HTTP " + httpStatus + " " + code + " " + message;
        }
    }

    private static Answer call(WebClient client, MethodDescriptor method, byte[] body, Long viewer) {
        final RequestHeadersBuilder headers = RequestHeaders.builder(
                        HttpMethod.POST, "/" + method.getService().getFullName() + "/" + method.getName())
                .contentType(MediaType.create("application", "grpc+proto"))
                .add("te", "trailers");
        if (viewer != null) {
            headers.add(Viewer.HEADER, Long.toString(viewer));
        }
        final AggregatedHttpResponse response = client.execute(headers.build(), HttpData.wrap(body)).aggregate()
                .join();
        // A trailers-only answer carries the status in its headers.
        final HttpHeaders trailers = response.trailers().contains("grpc-status") ? response.trailers()
                : response.headers();
        final String status = trailers.get("grpc-status");
        final String message = trailers.get("grpc-message", "");
        return new Answer(status == null ? null : Status.fromCodeValue(Integer.parseInt(status)).getCode(),
                          java.net.URLDecoder.decode(message.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8),
                          response.status().code());
    }
}
