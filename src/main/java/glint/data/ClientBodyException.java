package glint.data;

import java.io.IOException;

/**
 * The client did not send the body it announced: it went away, a read timed out, or its chunked encoding was broken.
 * The one {@link IOException} that is the client's fault (400, logged at INFO); thrown only by the sources that read a
 * request body ({@code glint.http.RequestBodySource}, {@code glint.http.RequestBodyStream}). Any other
 * {@code IOException} while handling a request is the server's fault (a store, a disk): 500, logged at ERROR.
 */
public final class ClientBodyException extends IOException {
    private static final long serialVersionUID = 1L;

    public ClientBodyException(Throwable cause) {
        super("the request body could not be read: " + cause, cause);
    }
}
