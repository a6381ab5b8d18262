package dev.airlock.gateway.identity.internal;

import dev.airlock.gateway.identity.TokenRejectedException;
import dev.airlock.gateway.identity.TokenRejection;
import dev.airlock.policy.Identity;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns verified JWT claims into an {@link Identity}: plain Java values, groups from a claim path, the act chain. */
final class ClaimMapper {

    /** Deepest JSON nesting kept in claims; deeper structures are refused rather than truncated. */
    static final int MAX_DEPTH = 16;
    /** Longest RFC 8693 {@code act} chain accepted. */
    static final int MAX_ACTORS = 8;

    private ClaimMapper() {
    }

    /**
     * @param json        the claims as parsed JSON (as from {@code JWTClaimsSet.toJSONObject()})
     * @param groupsClaim a claim name or dotted path
     */
    static Identity map(String issuer, Map<String, Object> json, String groupsClaim) {
        Map<String, Object> claims = plainMap(json, 0);
        Object sub = claims.get("sub");
        if (!(sub instanceof String) || ((String) sub).isEmpty()) {
            throw new TokenRejectedException(sub == null ? TokenRejection.MISSING_CLAIM : TokenRejection.INVALID_CLAIM, "sub");
        }
        Object email = claims.get("email");
        if (email != null && !(email instanceof String)) {
            throw new TokenRejectedException(TokenRejection.INVALID_CLAIM, "email is not a string");
        }
        Set<String> groups = groups(claims, groupsClaim);
        List<Identity.Actor> actors = actors(claims.get("act"));
        return new Identity(issuer, (String) sub, (String) email, groups, claims, actors);
    }

    static Set<String> groups(Map<String, Object> claims, String path) {
        Object value = lookup(claims, path);
        if (value == null) {
            return Set.of();
        }
        if (value instanceof String) {
            return Set.of((String) value);
        }
        if (value instanceof List) {
            Set<String> out = new LinkedHashSet<>();
            for (Object g : (List<?>) value) {
                if (!(g instanceof String)) {
                    throw new TokenRejectedException(TokenRejection.INVALID_CLAIM, "groups claim " + path + " holds a non-string");
                }
                out.add((String) g);
            }
            return out;
        }
        // Never read a malformed groups claim as "no groups": a deny rule on a group would then not match.
        throw new TokenRejectedException(TokenRejection.INVALID_CLAIM, "groups claim " + path + " is not a string or a list");
    }

    /** A top-level claim named exactly {@code path} wins; otherwise the dots walk into nested objects. */
    private static Object lookup(Map<String, Object> claims, String path) {
        if (claims.containsKey(path)) {
            return claims.get(path);
        }
        Object node = claims;
        for (String part : path.split("\\.")) {
            if (!(node instanceof Map)) {
                return null;
            }
            node = ((Map<?, ?>) node).get(part);
        }
        return node;
    }

    private static List<Identity.Actor> actors(Object act) {
        List<Identity.Actor> out = new ArrayList<>();
        while (act != null) {
            if (!(act instanceof Map)) {
                throw new TokenRejectedException(TokenRejection.INVALID_CLAIM, "act is not an object");
            }
            if (out.size() == MAX_ACTORS) {
                throw new TokenRejectedException(TokenRejection.INVALID_CLAIM, "act chain longer than " + MAX_ACTORS);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) act;
            Object sub = m.get("sub");
            if (!(sub instanceof String) || ((String) sub).isEmpty()) {
                throw new TokenRejectedException(TokenRejection.INVALID_CLAIM, "act without a sub");
            }
            Object iss = m.get("iss");
            if (iss != null && !(iss instanceof String)) {
                throw new TokenRejectedException(TokenRejection.INVALID_CLAIM, "act.iss is not a string");
            }
            Map<String, Object> own = new LinkedHashMap<>(m);
            own.remove("act");
            out.add(new Identity.Actor((String) sub, (String) iss, own));
            act = m.get("act");
        }
        return out;
    }

    private static Map<String, Object> plainMap(Map<?, ?> in, int depth) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : in.entrySet()) {
            Object v = plain(e.getValue(), depth + 1);
            if (v != null) { // JSON null: the claim is treated as absent (immutable collections hold no nulls)
                out.put(String.valueOf(e.getKey()), v);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static Object plain(Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new TokenRejectedException(TokenRejection.INVALID_CLAIM, "claims nested deeper than " + MAX_DEPTH);
        }
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Number) {
            return v;
        }
        if (v instanceof Map) {
            return plainMap((Map<?, ?>) v, depth);
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) v) {
                Object p = plain(o, depth + 1);
                if (p != null) {
                    out.add(p);
                }
            }
            return Collections.unmodifiableList(out);
        }
        if (v instanceof java.util.Date) {
            return ((java.util.Date) v).getTime() / 1000;
        }
        return v.toString();
    }
}
