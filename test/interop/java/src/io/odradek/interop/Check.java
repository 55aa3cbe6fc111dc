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

    static void step(String msg) {
        System.out.println("--- [java] " + msg);
        System.out.flush();
    }
}
