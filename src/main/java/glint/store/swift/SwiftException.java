package glint.store.swift;

import java.io.IOException;

/** Swift (or Keystone, on its behalf) answered {@code status}, or failed to answer (503). */
final class SwiftException extends IOException {
    private final int status;

    SwiftException(int status, String message) {
        super(message);
        this.status = status;
    }

    SwiftException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    int status() {
        return status;
    }
}
