package io.finsent.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Webhook targets must be public http(s) endpoints, judged by every address their name resolves to. */
class TargetPolicyTest {

    private static final Map<String, List<InetAddress>> NAMES = Map.of(
            "hooks.example.com", List.of(address("hooks.example.com", 93, 184, 216, 34)),
            "internal.example", List.of(address("internal.example", 10, 1, 2, 3)),
            "loop.example", List.of(address("loop.example", 127, 0, 0, 1)),
            "metadata.example", List.of(address("metadata.example", 169, 254, 169, 254)),
            "mixed.example", List.of(address("mixed.example", 93, 184, 216, 34), address("mixed.example", 192, 168, 1, 20)),
            "mapped.example", List.of(mappedIpv6("mapped.example", 10, 0, 0, 7)));

    static final TargetPolicy.HostResolver TEST_RESOLVER = host -> {
        List<InetAddress> found = NAMES.get(host);
        if (found == null) {
            throw new UnknownHostException(host);
        }
        return found;
    };

    private final TargetPolicy strict = TargetPolicy.builder().resolver(TEST_RESOLVER).build();

    static InetAddress address(String name, int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(name, new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress mappedIpv6(String name, int a, int b, int c, int d) {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        bytes[12] = (byte) a;
        bytes[13] = (byte) b;
        bytes[14] = (byte) c;
        bytes[15] = (byte) d;
        try {
            return Inet6Address.getByAddress(name, bytes, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1/", "http://127.8.9.10:8080/x", "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.0.1/",
            "http://100.64.1.1/", "http://169.254.169.254/latest/meta-data", "http://0.0.0.0/", "http://224.0.0.1/",
            "http://255.255.255.255/", "http://[::1]/", "http://[::]/", "http://[fe80::1]/", "http://[fd12:3456::1]/",
            "http://[ff02::1]/", "http://[::ffff:10.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::127.0.0.1]/",
            "http://[64:ff9b::a00:1]/", "http://[2002:7f00:1::]/",
            "http://2130706433/", "http://127.1/", "http://0x7f.0.0.1/", "http://017700000001/", "http://127.0.0.1./",
            "http://internal.example/hook", "http://loop.example:8080/hook", "http://metadata.example/",
            "http://mixed.example/", "http://mapped.example/",
            "ftp://hooks.example.com/file", "file:///etc/passwd", "gopher://hooks.example.com/", "hooks.example.com/path",
            "http://user:pw@hooks.example.com/", "https://token@hooks.example.com/",
            "not a url", "http://exa mple.com/", "http://[::1", "http:///path", "http://under_score.example/", "   ", ""})
    void refusesByDefault(String url) {
        assertThat(strict.check(url)).isInstanceOf(TargetPolicy.Refused.class);
    }

    @Test
    void refusesNullAndExplainsWithoutThePathOrQuery() {
        assertThat(strict.check(null)).isInstanceOf(TargetPolicy.Refused.class);
        var decision = (TargetPolicy.Refused) strict.check("http://mixed.example/secret-path?token=s3cr3t");
        assertThat(decision.reason()).contains("mixed.example", "192.168.1.20", "private").doesNotContain("secret-path", "s3cr3t");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.com/x?token=1", "http://hooks.example.com:8443/", "http://8.8.8.8/",
            "https://[2606:4700:4700::1111]/hook", "HTTPS://hooks.example.com/"})
    void allowsPublicTargets(String url) {
        assertThat(strict.check(url)).isInstanceOf(TargetPolicy.Allowed.class);
    }

    @Test
    void allowedDecisionCarriesEveryCheckedAddress() {
        var allowed = (TargetPolicy.Allowed) strict.check("https://hooks.example.com/x");
        assertThat(allowed.uri().getHost()).isEqualTo("hooks.example.com");
        assertThat(allowed.addresses()).extracting(InetAddress::getHostAddress).containsExactly("93.184.216.34");
    }

    @Test
    void unknownNamesAreUnresolvedNotRefused() {
        assertThat(strict.check("https://nowhere.example/hook")).isInstanceOf(TargetPolicy.Unresolved.class);
        var empty = TargetPolicy.builder().resolver(host -> List.of()).build();
        assertThat(empty.check("https://hooks.example.com/")).isInstanceOf(TargetPolicy.Unresolved.class);
        var broken = TargetPolicy.builder().resolver(host -> {
            throw new IllegalStateException("resolver down");
        }).build();
        assertThat(broken.check("https://hooks.example.com/")).isInstanceOf(TargetPolicy.Unresolved.class);
    }

    @Test
    void allowingPrivateTargetsLetsLoopbackAndPrivateThroughButNotLinkLocalOrMulticast() {
        var onPrem = TargetPolicy.builder().resolver(TEST_RESOLVER).allowPrivateTargets(true).build();

        assertThat(List.of("http://127.0.0.1:8080/", "http://[::1]/", "http://10.0.0.1/", "http://internal.example/",
                "http://mapped.example/", "http://100.64.0.1/", "http://[fd00::5]/"))
                .allSatisfy(url -> assertThat(onPrem.check(url)).as(url).isInstanceOf(TargetPolicy.Allowed.class));
        assertThat(List.of("http://169.254.169.254/latest/meta-data", "http://metadata.example/", "http://0.0.0.0/",
                "http://[fe80::1]/", "http://224.0.0.1/", "ftp://10.0.0.1/", "http://u:p@10.0.0.1/"))
                .allSatisfy(url -> assertThat(onPrem.check(url)).as(url).isInstanceOf(TargetPolicy.Refused.class));
    }

    @Test
    void allowedCidrsOpenExactlyTheirRange() {
        var policy = TargetPolicy.builder().resolver(TEST_RESOLVER)
                .allowCidr("10.1.2.0/24").allowCidr("169.254.10.0/24").allowCidr("fd00:1::/32").build();

        assertThat(policy.check("http://internal.example/")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(policy.check("http://10.1.2.200/")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(policy.check("http://169.254.10.5/")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(policy.check("http://[fd00:1::9]/")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(policy.check("http://10.1.3.1/")).isInstanceOf(TargetPolicy.Refused.class);
        assertThat(policy.check("http://169.254.169.254/")).isInstanceOf(TargetPolicy.Refused.class);
        assertThat(policy.check("http://[fd00:2::9]/")).isInstanceOf(TargetPolicy.Refused.class);
        assertThat(policy.check("http://127.0.0.1/")).isInstanceOf(TargetPolicy.Refused.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0.0/33", "example.com/8", "10.0.0.0/x", "fd00::/129", "10.1/16"})
    void rejectsMalformedCidrs(String cidr) {
        assertThatThrownBy(() -> TargetPolicy.builder().allowCidr(cidr)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(cidr);
    }

    @Test
    void userInfoIsLetThroughOnlyWhenAllowed() {
        assertThat(strict.check("https://reader:pw@hooks.example.com/feed")).isInstanceOf(TargetPolicy.Refused.class);
        var feeds = TargetPolicy.builder().resolver(TEST_RESOLVER).allowUserInfo(true).build();
        assertThat(feeds.check("https://reader:pw@hooks.example.com/feed")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(feeds.check("https://reader:pw@loop.example/feed")).as("the address rules still hold").isInstanceOf(TargetPolicy.Refused.class);
    }

    @Test
    void aRefusalSaysWhetherAllowingPrivateTargetsWouldLetItThrough() {
        assertThat(((TargetPolicy.Refused) strict.check("http://10.0.0.1/")).privateNetwork()).isTrue();
        assertThat(((TargetPolicy.Refused) strict.check("http://loop.example/")).privateNetwork()).isTrue();
        assertThat(((TargetPolicy.Refused) strict.check("http://mapped.example/")).privateNetwork()).as("10.0.0.7 in IPv6 form").isTrue();
        assertThat(((TargetPolicy.Refused) strict.check("http://169.254.169.254/")).privateNetwork()).isFalse();
        assertThat(((TargetPolicy.Refused) strict.check("http://metadata.example/")).privateNetwork()).isFalse();
        assertThat(((TargetPolicy.Refused) strict.check("ftp://hooks.example.com/")).privateNetwork()).isFalse();
    }
}
