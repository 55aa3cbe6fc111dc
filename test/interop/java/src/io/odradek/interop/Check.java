package io.odradek.interop;

import java.util.Objects;

/** Assertions for the suites: a failed check ends the suite with a message naming what differed. */
final class Check {
    private Check() {}

    static final class Failure extends RuntimeException {
        Failure(String msg) {
            super(msg);
        }
    }

    static void that(boolean cond, String msg) {
        if (!cond) {
            throw new Failure(msg);
        }
    }

    static void equal(Object want, Object got, String what) {
        if (!Objects.equals(want, got)) {
            throw new Failure(what + ": got " + got + ", want " + want);
        }
    }

    /** A check that may throw; see {@link #eventually}. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * Retries body until its checks pass, for up to 30 s. Admin writes are committed by the
     * controller before the call returns, but a broker serves reads from its own copy of the
     * metadata, which catches up a moment later (in Kafka as well), so reads after writes poll.
     */
    static void eventually(Body body) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                body.run();
                return;
            } catch (Failure e) {
                if (System.nanoTime() >= deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    static void step(String msg) {
        System.out.println("--- [java] " + msg);
        System.out.flush();
    }
}
