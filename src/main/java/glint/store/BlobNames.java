package glint.store;

import java.util.regex.Pattern;

/**
 * The names a blob may have, the same in every backend: letters, digits, {@code - _ .}, not starting with a dot, at
 * most 200 characters. A name is one path segment or object key segment everywhere, never {@code .} or {@code ..}.
 */
public final class BlobNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");

    private BlobNames() {}

    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** @throws IllegalArgumentException if {@code name} is not a valid blob name */
    public static String requireValid(String name) {
        if (!valid(name)) {
            throw new IllegalArgumentException("not a valid blob name: '" + name + "'");
        }
        return name;
    }
}
