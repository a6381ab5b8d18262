package dev.airlock.policy.internal;

import java.util.List;

/** One compiled condition of a rule. Implementations are immutable and thread-safe. */
public interface Criterion {

    Tri test(EvalContext c);

    /** Adds a reason code (e.g. {@code sql.kind=write}) for each part that held; called only for deciding rules. */
    void reasons(EvalContext c, List<String> out);

    /** A leaf: a named test whose reason is {@code name=<what the action had>}. */
    final class Leaf implements Criterion {
        private final String name;
        private final Test test;
        private final Describe describe;

        public Leaf(String name, Test test, Describe describe) {
            this.name = name;
            this.test = test;
            this.describe = describe;
        }

        @Override
        public Tri test(EvalContext c) {
            return test.test(c);
        }

        @Override
        public void reasons(EvalContext c, List<String> out) {
            out.add(name + '=' + Template.safe(describe.describe(c)));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A condition that only narrows (e.g. "the action is SQL") and adds no reason of its own. */
    final class Guard implements Criterion {
        private final Test test;

        public Guard(Test test) {
            this.test = test;
        }

        @Override
        public Tri test(EvalContext c) {
            return test.test(c);
        }

        @Override
        public void reasons(EvalContext c, List<String> out) {
            // no reason: the protocol-specific reasons that follow say it all
        }
    }

    @FunctionalInterface
    interface Test {
        Tri test(EvalContext c);
    }

    @FunctionalInterface
    interface Describe {
        String describe(EvalContext c);
    }

    /** Holds when every part holds; NO beats UNKNOWN. An empty conjunction holds. */
    final class All implements Criterion {
        private final Criterion[] parts;

        public All(List<Criterion> parts) {
            this.parts = parts.toArray(new Criterion[0]);
        }

        @Override
        public Tri test(EvalContext c) {
            Tri r = Tri.YES;
            for (Criterion p : parts) {
                Tri t = p.test(c);
                if (t == Tri.NO) {
                    return Tri.NO;
                }
                if (t == Tri.UNKNOWN) {
                    r = Tri.UNKNOWN;
                }
            }
            return r;
        }

        @Override
        public void reasons(EvalContext c, List<String> out) {
            for (Criterion p : parts) {
                if (p.test(c) == Tri.NO) {
                    return; // later parts may read protocol-specific fields the guard ruled out
                }
                p.reasons(c, out);
            }
        }
    }

    /** Holds when one part holds; YES beats UNKNOWN. */
    final class Any implements Criterion {
        private final Criterion[] parts;

        public Any(List<Criterion> parts) {
            this.parts = parts.toArray(new Criterion[0]);
        }

        @Override
        public Tri test(EvalContext c) {
            Tri r = Tri.NO;
            for (Criterion p : parts) {
                Tri t = p.test(c);
                if (t == Tri.YES) {
                    return Tri.YES;
                }
                if (t == Tri.UNKNOWN) {
                    r = Tri.UNKNOWN;
                }
            }
            return r;
        }

        @Override
        public void reasons(EvalContext c, List<String> out) {
            for (Criterion p : parts) {
                if (p.test(c) != Tri.NO) {
                    p.reasons(c, out);
                    return;
                }
            }
        }
    }

    final class Not implements Criterion {
        private final Criterion inner;

        public Not(Criterion inner) {
            this.inner = inner;
        }

        @Override
        public Tri test(EvalContext c) {
            return inner.test(c).not();
        }

        @Override
        public void reasons(EvalContext c, List<String> out) {
            out.add("not");
        }
    }
}
