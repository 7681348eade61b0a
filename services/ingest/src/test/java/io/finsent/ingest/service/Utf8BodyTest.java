package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.finsent.service.api.ApiProblem;

import io.finsent.service.api.Utf8Body;

/** A push body is UTF-8 and nothing else: every other encoding, and every malformed byte, is refused with its reason. */
class Utf8BodyTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(middle, 0, out, a.length, middle.length);
        System.arraycopy(c, 0, out, a.length + middle.length, c.length);
        return out;
    }

    @Test
    void utf8IsDecodedAndItsByteOrderMarkDropped() {
        assertThat(Utf8Body.decode("{\"body\": \"café 👍\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo("{\"body\": \"café 👍\"}");
        assertThat(Utf8Body.decode(concat("", bytes(0xEF, 0xBB, 0xBF), "{}"))).isEqualTo("{}");
    }

    static Stream<Arguments> notUtf8() {
        return Stream.of(
                Arguments.of("overlong slash", concat("{\"a\": \"", bytes(0xC0, 0xAF), "\"}"), 400, "the bytes at offset 7 (C0 AF 22 7D) are not UTF-8"),
                Arguments.of("encoded surrogate", concat("{\"a\": \"", bytes(0xED, 0xA0, 0x80), "\"}"), 400, "not UTF-8"),
                Arguments.of("past U+10FFFF", concat("{\"a\": \"", bytes(0xF4, 0x90, 0x80, 0x80), "\"}"), 400, "not UTF-8"),
                Arguments.of("Latin-1", "{\"a\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1), 400, "(E9 22 7D)"),
                Arguments.of("truncated at the end", concat("{}", bytes(0xE2, 0x82), ""), 400, "offset 2"),
                Arguments.of("UTF-16 with BOM", "{}".getBytes(StandardCharsets.UTF_16), 415, "byte order mark"),
                Arguments.of("UTF-16LE", "{}".getBytes(StandardCharsets.UTF_16LE), 415, "UTF-16 or UTF-32"),
                Arguments.of("UTF-32BE with BOM", bytes(0, 0, 0xFE, 0xFF, 0, 0, 0, '{', 0, 0, 0, '}'), 415, "byte order mark"),
                Arguments.of("UTF-32LE", "{}".getBytes(Charset.forName("UTF-32LE")), 415, "UTF-16 or UTF-32"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notUtf8")
    void aBodyThatIsNotUtf8IsRefusedWithTheReason(String name, byte[] body, int status, String reason) {
        assertThatThrownBy(() -> Utf8Body.decode(body)).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.status().getStatusCode()).as(name).isEqualTo(status);
            assertThat(p.getMessage()).as(name).contains(reason);
        });
    }

    @Test
    void onlyIdentityEncodingAndTheUtf8CharsetAreAccepted() {
        Utf8Body.checkHeaders("application/json; charset=UTF-8", List.of("identity"));
        Utf8Body.checkHeaders("application/json;charset=\"utf8\"", null);
        Utf8Body.checkHeaders(null, List.of());

        assertThatThrownBy(() -> Utf8Body.checkHeaders("application/json", List.of("gzip")))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.status().getStatusCode()).isEqualTo(415))
                .hasMessageContaining("only identity");
        assertThatThrownBy(() -> Utf8Body.checkHeaders("application/json", List.of("identity, br"))).hasMessageContaining("'br'");
        assertThatThrownBy(() -> Utf8Body.checkHeaders("application/json; charset=utf-16", null))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.status().getStatusCode()).isEqualTo(415))
                .hasMessageContaining("charset 'utf-16'");
    }
}
