package glint.store;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Unmaps a mapped window as soon as it has been sent, so that a download does not keep its file's pages mapped
 * (and counted in the process's resident memory) until some later garbage collection. Uses
 * {@code sun.misc.Unsafe.invokeCleaner} from the jdk.unsupported module: the JDK's only way to release a mapping
 * deterministically (Java 17 has no public unmap). If it is unavailable, the garbage collector unmaps instead.
 * The caller must be sure nothing touches the buffer afterwards: access to an unmapped buffer crashes the JVM.
 */
final class Unmapper {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method invoke = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            invoke = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            invoke = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = invoke;
    }

    private Unmapper() {}

    static boolean available() {
        return INVOKE_CLEANER != null;
    }

    static void unmap(MappedByteBuffer buffer) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // left to the garbage collector
        }
    }
}
