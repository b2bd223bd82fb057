package org.looptimer.bench.e2e;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The command line of an end-to-end program: {@code --name value} pairs and {@code --flag}s, each
 * from a known set, and {@code --help}. Durations read as {@code 250ms}, {@code 2s} or {@code 1m}.
 */
final class Options {

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses {@code args}; returns null after printing {@code usage} if {@code --help} is among
     * them.
     *
     * @throws IllegalArgumentException on an unknown option or a missing value
     */
    static Options parse(String[] args, String usage, Set<String> valued, Set<String> flags) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println(usage);
                return null;
            }
            String name = arg.startsWith("--") ? arg.substring(2) : null;
            if (name != null && flags.contains(name)) {
                values.put(name, "true");
            } else if (name != null && valued.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value\n\n" + usage);
                }
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option '" + arg + "'\n\n" + usage);
            }
        }
        return new Options(values);
    }

    String string(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    int integer(String name, int otherwise) {
        String v = values.get(name);
        return v == null ? otherwise : Integer.parseInt(v.replace("_", ""));
    }

    double decimal(String name, double otherwise) {
        String v = values.get(name);
        return v == null ? otherwise : Double.parseDouble(v);
    }

    Duration duration(String name, Duration otherwise) {
        String v = values.get(name);
        return v == null ? otherwise : parseDuration(v);
    }

    /** {@code 250ms}, {@code 2s}, {@code 1m}, or {@code 0} for none. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        if (t.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        throw new IllegalArgumentException("not a duration: '" + text + "' (use 250ms, 2s or 1m)");
    }
}
