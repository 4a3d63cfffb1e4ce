package glint.store.s3;

import glint.auth.RequestIds;
import java.util.Optional;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * {@value RequestIds#HEADER} on every request to the service, with the id of the API request it is made for. A
 * writer's requests name it themselves ({@link #pinned}, taken when the writer was created): a writer runs on the
 * upload pipeline's threads and sends its parts from the store's sender threads, none of which works for a request.
 * Any other request is made on the thread of the request it serves, whose id ({@link RequestIds#current()}) this
 * interceptor adds.
 */
final class RequestIdHeader implements ExecutionInterceptor {
    /** The override that makes a request carry {@code requestId} (none when empty), whichever thread sends it. */
    static AwsRequestOverrideConfiguration pinned(Optional<String> requestId) {
        AwsRequestOverrideConfiguration.Builder b = AwsRequestOverrideConfiguration.builder();
        requestId.ifPresent(id -> b.putHeader(RequestIds.HEADER, id));
        return b.build();
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        boolean named = context.request().overrideConfiguration()
                .map(c -> c.headers().containsKey(RequestIds.HEADER)).orElse(false);
        Optional<String> id = RequestIds.current();
        if (named || id.isEmpty()) {
            return context.httpRequest();
        }
        return context.httpRequest().toBuilder().putHeader(RequestIds.HEADER, id.get()).build();
    }
}
