package glint.db;

/** The three databases Glint runs on; chosen from the JDBC URL. Migrations live in {@code db/migration/<folder>}. */
public enum Dialect {
    SQLITE("sqlite"), POSTGRESQL("postgresql"), MARIADB("mariadb");

    private final String folder;

    Dialect(String folder) {
        this.folder = folder;
    }

    public String migrationFolder() {
        return "classpath:db/migration/" + folder;
    }

    public static Dialect fromUrl(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (jdbcUrl.startsWith("jdbc:mariadb:") || jdbcUrl.startsWith("jdbc:mysql:")) {
            return MARIADB;
        }
        throw new IllegalArgumentException("unsupported database URL (sqlite, postgresql or mariadb): " + jdbcUrl);
    }
}
