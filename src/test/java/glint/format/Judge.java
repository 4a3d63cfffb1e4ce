package glint.format;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;

/** Shorthands for judging test data under Glance's options. */
final class Judge {
    static final FormatRules DEFAULTS = new FormatRules(FormatOptions.defaults());
    static final FormatRules LENIENT = new FormatRules(new FormatOptions(false, Set.of(),
        List.of("streamOptimized", "monolithicSparse")));

    private Judge() {}

    static FormatRules nonfatal(String... checks) {
        return new FormatRules(new FormatOptions(true, Set.of(checks), List.of("streamOptimized",
            "monolithicSparse")));
    }

    static FormatRules vmdkTypes(String... types) {
        return new FormatRules(new FormatOptions(true, Set.of(), List.of(types)));
    }

    static Verdict judge(FormatRules rules, String diskFormat, byte[] data) throws FormatRefused {
        return rules.judge(diskFormat, Feeder.inspect(data));
    }

    static AbstractThrowableAssert<?, ? extends Throwable> refused(FormatRules rules, String diskFormat, byte[] data) {
        Inspection inspection = Feeder.inspect(data);
        return assertThatThrownBy(() -> rules.judge(diskFormat, inspection)).isInstanceOf(FormatRefused.class);
    }
}
