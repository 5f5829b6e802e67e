import SimilarityAPI
import Testing

/// Expected values come from pydantic 2.13 (what FastAPI uses to read query parameters), run on the
/// same inputs: `TypeAdapter(int|float|bool).validate_python(text)`.
struct LaxValueParserTests {
    @Test(arguments: [
        ("32", 32), (" 32 ", 32), ("+32", 32), ("-32", -32), ("032", 32), ("1.0", 1), ("1.00", 1),
        ("1_0", 10), ("0_0", 0), ("3.000_0", 3), ("00", 0),
    ])
    func acceptsIntegersAsPydanticDoes(text: String, expected: Int) {
        #expect(LaxValueParser.int(text) == expected)
    }

    @Test(arguments: ["1.5", "1e1", "0x10", "", "abc", "１２", "1.", "1__0", "_1", "1_", "+", "1 0", "3.0_1", "١"])
    func rejectsWhatPydanticRejectsAsInteger(text: String) {
        #expect(LaxValueParser.int(text) == nil)
    }

    @Test func hugeIntegersAreOutOfRangeRatherThanUnparsable() {
        #expect(LaxValueParser.int("9999999999999999999999") == Int.max)
        #expect(LaxValueParser.int("-9999999999999999999999") == Int.min)
    }

    @Test(arguments: [
        ("0.5", 0.5), (" 0.5 ", 0.5), (".5", 0.5), ("5.", 5.0), ("5e-1", 0.5), ("5E+1", 50.0), ("+0.3", 0.3),
        ("-.5e-3", -0.0005), ("1_0", 10.0), ("1_0.0_1", 10.01), ("-0", 0.0), ("1", 1.0),
    ])
    func acceptsNumbersAsPydanticDoes(text: String, expected: Double) {
        #expect(LaxValueParser.double(text) == expected)
    }

    @Test func infinitiesAndNaNAreNumbers() {
        #expect(LaxValueParser.double("inf") == .infinity)
        #expect(LaxValueParser.double("-Infinity") == -.infinity)
        #expect(LaxValueParser.double("NaN")?.isNaN == true)
    }

    @Test(arguments: ["", "abc", "0x1", "0,5", "5e", "e5", ".", ".e3", "1.0.0", "0b1", "1__0"])
    func rejectsWhatPydanticRejectsAsNumber(text: String) {
        #expect(LaxValueParser.double(text) == nil)
    }

    @Test(arguments: [
        ("true", true), ("True", true), ("TRUE", true), ("1", true), ("yes", true), ("on", true), ("t", true),
        ("Y", true), ("false", false), ("0", false), ("No", false), ("OFF", false), ("f", false), ("n", false),
    ])
    func acceptsBooleansAsPydanticDoes(text: String, expected: Bool) {
        #expect(LaxValueParser.bool(text) == expected)
    }

    @Test(arguments: ["", "2", " true", "truee", "yess", "-1"])
    func rejectsWhatPydanticRejectsAsBoolean(text: String) {
        #expect(LaxValueParser.bool(text) == nil)
    }
}
