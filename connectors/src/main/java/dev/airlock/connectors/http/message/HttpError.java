package dev.airlock.connectors.http.message;

import dev.airlock.connectors.spi.Failure;
import io.netty.handler.codec.http.HttpResponseStatus;

/** Every failure the HTTP connector answers with, its status code and its problem type ({@code urn:airlock:problem:…}). */
public enum HttpError {
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, "bad-request", "Bad request"),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri-too-long", "Request target too long"),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large", "Request headers too large"),
    METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
    NOT_IMPLEMENTED(HttpResponseStatus.NOT_IMPLEMENTED, "not-implemented", "Not implemented"),
    EXPECTATION_FAILED(HttpResponseStatus.EXPECTATION_FAILED, "expectation-failed", "Expectation failed"),
    HTTP_VERSION(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "http-version", "HTTP version not supported"),
    REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, "request-timeout", "Request head not received in time"),
    UNAUTHENTICATED(HttpResponseStatus.UNAUTHORIZED, "unauthenticated", "Authentication required"),
    NO_ROUTE(HttpResponseStatus.NOT_FOUND, "no-route", "No Airlock connection for this request"),
    NOT_FOUND(HttpResponseStatus.NOT_FOUND, "not-found", "Not found"),
    POLICY_DENIED(HttpResponseStatus.FORBIDDEN, "policy-denied", "Denied by policy"),
    APPROVAL_DENIED(HttpResponseStatus.FORBIDDEN, "approval-denied", "Denied by an approver"),
    APPROVAL_EXPIRED(HttpResponseStatus.FORBIDDEN, "approval-expired", "Approval timed out"),
    APPROVAL_CANCELLED(HttpResponseStatus.SERVICE_UNAVAILABLE, "approval-cancelled", "Approval cancelled"),
    GATE_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", "Airlock cannot decide right now"),
    TOO_MANY_SESSIONS(HttpResponseStatus.TOO_MANY_REQUESTS, "too-many-sessions", "Too many sessions for this agent"),
    UPSTREAM_UNAVAILABLE(HttpResponseStatus.BAD_GATEWAY, "upstream-unavailable", "Upstream unavailable"),
    UPSTREAM_INVALID(HttpResponseStatus.BAD_GATEWAY, "upstream-invalid", "Invalid response from upstream"),
    UPSTREAM_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream-timeout", "Upstream timed out"),
    RESPONSE_TOO_LARGE(HttpResponseStatus.BAD_GATEWAY, "response-too-large", "Upstream response too large to hold");

    private final HttpResponseStatus status;
    private final String type;
    private final String title;

    HttpError(HttpResponseStatus status, String type, String title) {
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** The RFC 9457 {@code type} URI. */
    public String type() {
        return "urn:airlock:problem:" + type;
    }

    public String title() {
        return title;
    }

    /** The code recorded as the outcome's error code in lineage, e.g. {@code upstream-timeout}. */
    public String code() {
        return type;
    }

    public static HttpError of(Failure failure) {
        return switch (failure) {
            case AUTHENTICATION_FAILED -> UNAUTHENTICATED;
            case UNKNOWN_CONNECTION -> NO_ROUTE;
            case POLICY_DENIED -> POLICY_DENIED;
            case APPROVAL_DENIED -> APPROVAL_DENIED;
            case APPROVAL_EXPIRED -> APPROVAL_EXPIRED;
            case APPROVAL_CANCELLED -> APPROVAL_CANCELLED;
            case TOO_MANY_SESSIONS -> TOO_MANY_SESSIONS;
            case UNAVAILABLE -> GATE_UNAVAILABLE;
        };
    }
}
