// How a restore reads the foreign bindings an image needs back from native
// names (AmberVM/Embedding/HostHooks.swift): module names may contain dots and
// so may operator signatures, and the split must still be the right one.
import Testing
import AmberVM

@Suite struct NativeNameTests {
    @Test(arguments: [
        ("main.Host.static add(_,_)", HostNativeName.method(.init(module: "main", className: "Host", isStatic: true, signature: "add(_,_)"))),
        ("./test/api/foreign_class.Counter.increment(_)",
         .method(.init(module: "./test/api/foreign_class", className: "Counter", isStatic: false, signature: "increment(_)"))),
        ("lib.v2.Vec...(_)", .method(.init(module: "lib.v2", className: "Vec", isStatic: false, signature: "..(_)"))),
        ("lib.v2.Vec....(_)", .method(.init(module: "lib.v2", className: "Vec", isStatic: false, signature: "...(_)"))),
        ("a.b.C.d", .method(.init(module: "a.b", className: "C", isStatic: false, signature: "d"))),
        ("m.Grid.[_,_]=(_)", .method(.init(module: "m", className: "Grid", isStatic: false, signature: "[_,_]=(_)"))),
        ("m.Vec.-", .method(.init(module: "m", className: "Vec", isStatic: false, signature: "-"))),
        ("m.Vec.count=(_)", .method(.init(module: "m", className: "Vec", isStatic: false, signature: "count=(_)"))),
        ("geo.metry.Shape.<allocate>", .foreignClass(module: "geo.metry", className: "Shape")),
    ])
    func decodes(_ name: String, _ expected: HostNativeName) {
        #expect(HostNativeName(nativeName: name) == expected)
        if case .method(let m) = expected { #expect(m.nativeName == name) }
    }

    /// Core natives name a class and a method only: never the host's.
    @Test(arguments: ["Num.sqrt", "Object.==(_)", "List.static new()", "Num...(_)", "Num..(_)", "String.+(_)"])
    func coreNativesAreNotDecoded(_ name: String) {
        #expect(HostNativeName(nativeName: name) == nil)
    }

    @Test func signatureShapesAndArity() {
        for valid in ["name", "name()", "add(_,_)", "count=(_)", "[_]", "[_,_]=(_)", "-", "-(_)", "..(_)", "is(_)", "!"] {
            #expect(SignatureShape.isValid(valid), "\(valid)")
        }
        for invalid in ["", "add(_, _)", "add(_,)", "C.d", "+", "[]", "name=(_,_)", "1x"] {
            #expect(!SignatureShape.isValid(invalid), "\(invalid)")
        }
        #expect(SignatureShape.arity("two(_,_)") == 2)
        #expect(SignatureShape.arity("[_,_]=(_)") == 3)
        #expect(SignatureShape.arity("name") == 0)
        #expect(SignatureShape.arity("-(_)") == 1)
    }
}
