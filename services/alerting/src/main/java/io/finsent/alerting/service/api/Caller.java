package io.finsent.alerting.service.api;

/**
 * Who made a request: an analyst (with the role of the key used), or the bootstrap administrator of
 * {@code alerting.admin.key-sha256}, who has no analyst row ({@code analystId} null).
 */
public record Caller(Long analystId, String name, Role role) {

    /** What a key may do. */
    public enum Role { ANALYST, ADMIN }

    public boolean admin() {
        return role == Role.ADMIN;
    }
}
