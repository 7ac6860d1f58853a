import CaspioREPL
import LuaBridge
import Testing

/// The evaluator as lua5.4's REPL: expression first, `=expr`, incomplete chunks, `_`.
@Suite struct EvaluatorTests {
    let state = LuaState()
    var evaluator: Evaluator { Evaluator(lua: state.lua) }

    func values(_ source: String) -> [LuaValue]? {
        if case .values(let values) = evaluator.evaluate(source) { return values }
        return nil
    }

    @Test func expressionsFirstThenStatements() {
        #expect(values("1 + 2") == [3])
        #expect(values("x = 5") == [])
        #expect(values("x, x * 2") == [5, 10])
        #expect(values("=x") == [5])
        #expect(values("return x + 1") == [6])
        #expect(values("print") != nil)
    }

    @Test func firstResultIsKeptInUnderscore() {
        _ = values("40 + 2, 'second'")
        #expect(state.lua.getGlobal("_") == 42)
        _ = values("y = 1")
        #expect(state.lua.getGlobal("_") == 42)
        #expect(values("_ + 1") == [43])
    }

    @Test func incompleteChunksWaitForMore() {
        for partial in ["for i = 1, 3 do", "function f(a)", "t = {1,", "print(1", "x =", "s = [[one"] {
            guard case .incomplete = evaluator.evaluate(partial) else {
                Issue.record("\(partial) should be incomplete")
                continue
            }
        }
        #expect(values("t = {1,\n2}\n") == [])
        #expect(values("function f(a)\n return a * 2\nend") == [])
        #expect(values("f(21)") == [42])
        #expect(values("{1,\n2}") != nil)
    }

    @Test func errorsCarryMessageAndTraceback() {
        guard case .failure(let error) = evaluator.evaluate("error('boom')") else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.message == "stdin:1: boom")
        #expect(error.traceback.hasPrefix("stack traceback:"))
        guard case .failure(let syntax) = evaluator.evaluate("x = = 1") else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(syntax.message.contains("unexpected symbol"))
        #expect(values("1") == [1], "the state is usable after errors")
    }
}
