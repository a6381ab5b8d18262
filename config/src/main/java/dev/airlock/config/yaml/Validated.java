package dev.airlock.config.yaml;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of loading a configuration: either a valid value or every problem found.
 *
 * @param <T> the value type
 */
public sealed interface Validated<T> permits Validated.Valid, Validated.Invalid {

    static <T> Validated<T> valid(T value) {
        return new Valid<>(value);
    }

    static <T> Validated<T> invalid(List<ConfigProblem> problems) {
        return new Invalid<>(problems);
    }

    /** {@link #valid(Object)} when {@code problems} is empty (then {@code value} must be non-null), else invalid. */
    static <T> Validated<T> of(T value, Problems problems) {
        return problems.isEmpty() ? valid(value) : invalid(problems.list());
    }

    /** The problems; empty when valid. */
    List<ConfigProblem> problems();

    default boolean isValid() {
        return this instanceof Valid;
    }

    /** The value, or {@link IllegalStateException} listing the problems when invalid. */
    T orElseThrow();

    /** The valid value transformed by {@code f}; the same problems when invalid. */
    @SuppressWarnings("unchecked")
    default <R> Validated<R> map(java.util.function.Function<? super T, ? extends R> f) {
        return this instanceof Valid<T> v ? valid(f.apply(v.value())) : (Validated<R>) this;
    }

    /** A valid value. */
    record Valid<T>(T value) implements Validated<T> {
        public Valid {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public List<ConfigProblem> problems() {
            return List.of();
        }

        @Override
        public T orElseThrow() {
            return value;
        }
    }

    /** Every problem found (at least one). */
    record Invalid<T>(List<ConfigProblem> problems) implements Validated<T> {
        public Invalid {
            problems = List.copyOf(problems);
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("problems: [] (expected: at least one)");
            }
        }

        @Override
        public T orElseThrow() {
            StringBuilder sb = new StringBuilder("invalid configuration:");
            problems.forEach(p -> sb.append('\n').append(p));
            throw new IllegalStateException(sb.toString());
        }
    }
}
