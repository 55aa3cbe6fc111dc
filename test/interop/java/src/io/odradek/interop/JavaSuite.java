package io.odradek.interop;

import java.util.concurrent.ExecutionException;

/**
 * Entry point of the kafka-clients suite: one JVM runs the producer/consumer checks and the
 * Admin checks against BOOTSTRAP, so the suite pays for JVM start-up once.
 * Exits 1 with a message on the first failed check, 2 on bad usage.
 */
public final class JavaSuite {
    private JavaSuite() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: JavaSuite BOOTSTRAP");
            System.exit(2);
        }
        String bootstrap = args[0];
        String run = System.currentTimeMillis() / 1000 + "-" + ProcessHandle.current().pid();
        try {
            int n = new ClientsCheck(bootstrap, "interop-java-clients-" + run).run();
            new AdminCheck(bootstrap, "interop-java-admin-" + run).run();
            Check.step("PASS (" + n + " records verified)");
        } catch (Check.Failure e) {
            System.err.println("FAIL [java]: " + e.getMessage());
            System.exit(1);
        } catch (ExecutionException e) {
            System.err.println("FAIL [java]: " + e.getCause());
            e.getCause().printStackTrace();
            System.exit(1);
        } catch (Exception e) {
            System.err.println("FAIL [java]: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
