package dev.airlock.audit;

/** A lineage record could not be made durable; the caller must fail closed. */
public class LineageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LineageException(String message) {
        super(message);
    }

    public LineageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The writer's queue is full: the store cannot keep up. Counted in {@link WriterStats#rejected()}. */
    public static final class Backpressure extends LineageException {
        private static final long serialVersionUID = 1L;

        public Backpressure(String message) {
            super(message);
        }
    }

    /** The local spool reached its size limit while PostgreSQL is unreachable. */
    public static final class SpoolFull extends LineageException {
        private static final long serialVersionUID = 1L;

        public SpoolFull(String message) {
            super(message);
        }
    }

    /** The spool file holds a record whose checksum or framing is wrong; nothing is replayed until an operator looks. */
    public static final class SpoolCorrupted extends LineageException {
        private static final long serialVersionUID = 1L;

        public SpoolCorrupted(String message) {
            super(message);
        }
    }
}
