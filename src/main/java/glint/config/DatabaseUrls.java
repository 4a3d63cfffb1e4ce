package glint.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code [database] connection} as operators already have it in {@code glance-api.conf}: an SQLAlchemy URL
 * ({@code mysql+pymysql://glance:secret@db/glance?charset=utf8}, {@code postgresql://glance:secret@db:5432/glance},
 * {@code sqlite:////var/lib/glance/glance.sqlite}) becomes the JDBC URL Glint opens, with the user and password apart
 * (given to the pool, so that no character of a password needs escaping twice); a JDBC URL is kept as written.
 *
 * <p>SQLAlchemy percent-encodes reserved characters of the user and password ({@code p%40ss} is {@code p@ss}); they
 * are decoded here. Of the query, PostgreSQL's {@code sslmode} is kept (libpq's and pgjdbc's name); the rest
 * ({@code charset}, {@code read_default_file}, driver options) has no JDBC meaning and is dropped: MariaDB's driver
 * always speaks utf8mb4.
 */
public final class DatabaseUrls {
    /** {@code dialect[+driver]://[user[:password]@]host[:port]/database[?query]}. */
    private static final Pattern SQLALCHEMY = Pattern.compile(
            "^([a-z0-9]+)(\\+[a-z0-9_]+)?://(?:([^:@/]*)(?::([^@/]*))?@)?(\\[[^]]+]|[^:/?]*)(?::(\\d+))?(?:/([^?]*))?(?:\\?(.*))?$");

    private DatabaseUrls() {}

    /** A JDBC URL and the credentials that were in the URL, when there were any. */
    public record Jdbc(String url, Optional<String> user, Optional<String> password) {}

    public static Jdbc toJdbc(String connection) {
        String c = connection.strip();
        if (c.startsWith("jdbc:")) {
            return new Jdbc(c, Optional.empty(), Optional.empty());
        }
        if (c.startsWith("sqlite:")) {
            return new Jdbc(sqlite(c), Optional.empty(), Optional.empty());
        }
        Matcher m = SQLALCHEMY.matcher(c);
        if (!m.matches()) {
            throw new IllegalArgumentException("[database] connection: not a JDBC URL (jdbc:…) nor an SQLAlchemy URL "
                    + "(mysql+pymysql://user:password@host/database, postgresql://…): '" + redact(c) + "'");
        }
        String dialect = m.group(1).toLowerCase(Locale.ROOT);
        String host = m.group(5).isEmpty() ? "localhost" : m.group(5);
        String database = Optional.ofNullable(m.group(7)).orElse("");
        if (database.isEmpty()) {
            throw new IllegalArgumentException("[database] connection: the URL names no database: '" + redact(c) + "'");
        }
        String jdbcScheme = switch (dialect) {
            case "mysql", "mariadb" -> "jdbc:mariadb";
            case "postgresql", "postgres" -> "jdbc:postgresql";
            default -> throw new IllegalArgumentException("[database] connection: unsupported database '" + dialect
                    + "' (mysql, mariadb, postgresql or sqlite)");
        };
        int defaultPort = jdbcScheme.equals("jdbc:mariadb") ? 3306 : 5432;
        String port = Optional.ofNullable(m.group(6)).orElse(Integer.toString(defaultPort));
        List<String> kept = new ArrayList<>();
        if (m.group(8) != null && jdbcScheme.equals("jdbc:postgresql")) {
            for (String param : m.group(8).split("&")) {
                if (param.startsWith("sslmode=")) {
                    kept.add(param);
                }
            }
        }
        String url = jdbcScheme + "://" + host + ":" + port + "/" + decode(database)
                + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new Jdbc(url, Optional.ofNullable(m.group(3)).filter(u -> !u.isEmpty()).map(DatabaseUrls::decode),
                Optional.ofNullable(m.group(4)).map(DatabaseUrls::decode));
    }

    /** {@code sqlite:///relative/path} and {@code sqlite:////absolute/path}, as SQLAlchemy reads them. */
    private static String sqlite(String c) {
        if (!c.startsWith("sqlite:///")) {
            throw new IllegalArgumentException("[database] connection: an SQLite URL is sqlite:///relative or "
                    + "sqlite:////absolute/path, got '" + c + "'");
        }
        String path = c.substring("sqlite:///".length());
        int q = path.indexOf('?');
        return "jdbc:sqlite:" + decode(q >= 0 ? path.substring(0, q) : path);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URL without its password, for messages. */
    static String redact(String url) {
        return url.replaceAll("://([^:@/]*):[^@/]*@", "://$1:***@");
    }
}
