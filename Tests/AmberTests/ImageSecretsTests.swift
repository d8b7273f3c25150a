// Secrets (issue 19, item 4): a string read with Process.env is not written
// into an image but read again at the restore; a string made from one stops
// the snapshot, naming the variable and where it is held; Snapshot.transient
// is the way out; environment fingerprints cannot be tested quickly offline.
// Through the Swift API, each VM with an environment port of its own.
import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects

@Suite struct ImageSecretsTests {
    static func configuration(_ variables: [String: String], key: ImageKey? = nil) -> VMConfiguration {
        var config = capturedConfiguration().0
        config.port.environment = .fixed(name: "test-env", variables)
        config.imageKey = key
        return config
    }

    /// `main`'s variable `name` as a host sees it.
    func value(_ vm: VM, _ name: String) throws -> ScriptValue {
        try vm.call(vm.variable(module: "main", name: "Main"), "get(_)", [.string(name)])
    }

    static let reader = """
        import "os" for Process
        import "snapshot" for Snapshot
        var Token = Process.env("TOKEN")
        class Main {
          static get(name) { name == "Token" ? Token : null }
        }
        """

    @Test func aValueReadFromTheEnvironmentIsReadAgainAtTheRestore() throws {
        let dir = try scratch([:])
        let secret = "s3cr3t-\(UUID().uuidString)"
        let vm = try VM(configuration: ImageSecretsTests.configuration(["TOKEN": secret]))
        #expect(vm.interpret(module: "main", source: ImageSecretsTests.reader) == .success)
        try vm.snapshot(to: dir + "/s.img")
        // The writer keeps its value; the image holds none of it.
        #expect(try value(vm, "Token") == .string(secret))
        let image = try Data(contentsOf: URL(fileURLWithPath: dir + "/s.img"))
        #expect(image.range(of: Data(secret.utf8)) == nil)
        #expect(image.range(of: Data(secret.prefix(6).utf8)) == nil)

        let rotated = "rotated-\(UUID().uuidString)"
        let copy = try VM.restore(from: dir + "/s.img", configuration: ImageSecretsTests.configuration(["TOKEN": rotated]))
        #expect(copy.resumeFromImage() == .success)
        #expect(try value(copy, "Token") == .string(rotated))
        // And the restored process can be snapshotted and restored again.
        try copy.snapshot(to: dir + "/s2.img")
        let again = try VM.restore(from: dir + "/s2.img", configuration: ImageSecretsTests.configuration(["TOKEN": "third"]))
        #expect(again.resumeFromImage() == .success)
        #expect(try value(again, "Token") == .string("third"))
    }

    /// The values of Process.environment's map are marked too.
    @Test func processEnvironmentValuesAreLeftOutToo() throws {
        let dir = try scratch([:])
        let vm = try VM(configuration: ImageSecretsTests.configuration(["TOKEN": "tok-env-map", "REGION": "eu"]))
        #expect(vm.interpret(module: "main", source: """
            import "os" for Process
            var All = Process.environment
            class Main {
              static get(name) { All[name] }
            }
            """) == .success)
        try vm.snapshot(to: dir + "/e.img")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/e.img")).range(of: Data("tok-env-map".utf8)) == nil)
        let copy = try VM.restore(from: dir + "/e.img", configuration: ImageSecretsTests.configuration(["TOKEN": "t2", "REGION": "us"]))
        #expect(copy.resumeFromImage() == .success)
        #expect(try value(copy, "TOKEN") == .string("t2"))
        #expect(try value(copy, "REGION") == .string("us"))
    }

    @Test func anUnsetOrMuchLongerVariableFailsTheRestoreNamingIt() throws {
        let dir = try scratch([:])
        let vm = try VM(configuration: ImageSecretsTests.configuration(["TOKEN": "short"]))
        #expect(vm.interpret(module: "main", source: ImageSecretsTests.reader) == .success)
        try vm.snapshot(to: dir + "/s.img")
        let unset = try VM.restore(from: dir + "/s.img", configuration: ImageSecretsTests.configuration([:]))
        guard case .runtimeError(let message) = unset.resumeFromImage() else { Issue.record("resumed"); return }
        #expect(message.hasPrefix("Environment variable TOKEN was read before the snapshot and is not set now"), "\(message)")
        let long = try VM.restore(from: dir + "/s.img",
                                  configuration: ImageSecretsTests.configuration(["TOKEN": String(repeating: "x", count: 300)]))
        guard case .runtimeError(let tooLong) = long.resumeFromImage() else { Issue.record("resumed"); return }
        #expect(tooLong == "Environment variable TOKEN is 300 bytes long now; the image kept room for 256 (twice its length when read, at least 256).")
    }

    /// Concatenation, interpolation and join make derived strings: the
    /// snapshot fails naming the variable and a path to the string, writes
    /// nothing; kept in a Snapshot.transient box, it is left out instead.
    @Test(arguments: [
        ("var header = \"Bearer \" + Process.env(\"TOKEN\")", "TOKEN is reachable from module main, variable header."),
        ("var Config = {\"auth\": [1, \"Token %(Process.env(\"API_KEY\"))\"]}",
         "API_KEY is reachable from module main, variable Config, the value for \"auth\", element 1."),
        ("var Parts = [[\"a\", Process.env(\"TOKEN\")].join(\"-\")]", "TOKEN is reachable from module main, variable Parts, element 0."),
        ("class Holder {\n  construct new(v) { _v = v }\n}\nvar H = Holder.new(Process.env(\"TOKEN\")[1..3])",
         "TOKEN is reachable from module main, variable H, field 0 of a Holder."),
    ])
    func aDerivedStringFailsTheSnapshotNamingTheVariableAndWhereItIsHeld(source: String, path: String) throws {
        let dir = try scratch([:])
        let vm = try VM(configuration: ImageSecretsTests.configuration(["TOKEN": "tok-123", "API_KEY": "key-456"]))
        #expect(vm.interpret(module: "main", source: "import \"os\" for Process\n" + source) == .success)
        do {
            try vm.snapshot(to: dir + "/d.img")
            Issue.record("the snapshot was written")
        } catch {
            let message = "\(error)"
            #expect(message.hasPrefix("Cannot take a snapshot: a string made from environment variable "), "\(message)")
            #expect(message.contains(path), "\(message)")
            #expect(!message.contains("tok-123") && !message.contains("key-456"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/d.img"))
    }

    @Test func snapshotTransientIsTheWayOut() throws {
        let dir = try scratch([:])
        let vm = try VM(configuration: ImageSecretsTests.configuration(["TOKEN": "tok-789"]))
        #expect(vm.interpret(module: "main", source: """
            import "os" for Process
            import "snapshot" for Snapshot
            var Header = Snapshot.transient("Bearer " + Process.env("TOKEN"))
            Snapshot.registerPostRestoreHook { Header.value = "Bearer " + Process.env("TOKEN") }
            class Main {
              static get(name) { Header.value }
            }
            """) == .success)
        try vm.snapshot(to: dir + "/t.img")
        #expect(try value(vm, "Header") == .string("Bearer tok-789"))
        // The value comes back into the box still marked: copied out of it, it stops the next snapshot.
        #expect(vm.interpret(module: "main", source: "var Copy = Header.value") == .success)
        #expect(throws: ImageError.self) { try vm.snapshot(to: dir + "/t2.img") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/t.img")).range(of: Data("tok-789".utf8)) == nil)
        let copy = try VM.restore(from: dir + "/t.img", configuration: ImageSecretsTests.configuration(["TOKEN": "new"]))
        #expect(copy.resumeFromImage() == .success)
        #expect(try value(copy, "Header") == .string("Bearer new"))
    }

    /// Immutable variables are fingerprinted under the image key when there
    /// is one: checked with the key, reported as uncheckable without it.
    @Test func fingerprintsUseTheImageKey() throws {
        let dir = try scratch([:])
        let key = ImageKey.random()
        let script = """
            import "snapshot" for Snapshot
            Snapshot.registerImmutableEnv(["REGION"])
            """
        let vm = try VM(configuration: ImageSecretsTests.configuration(["REGION": "eu"], key: key))
        #expect(vm.interpret(module: "main", source: script) == .success)
        try vm.snapshot(to: dir + "/f.img")
        func resume(_ variables: [String: String], key: ImageKey?) throws -> InterpretResult {
            try VM.restore(from: dir + "/f.img", configuration: ImageSecretsTests.configuration(variables, key: key))
                .resumeFromImage()
        }
        #expect(try resume(["REGION": "eu"], key: key) == .success)
        #expect(try resume(["REGION": "us"], key: key)
                == .runtimeError("Immutable environment variable changed since the snapshot: 'REGION' (value changed)."))
        #expect(try resume(["REGION": "eu"], key: nil) == .runtimeError(
            "Immutable environment variable changed since the snapshot: 'REGION' (fingerprinted with the image key: restore with key= to check it)."))
        // Without a key: a slow salted hash, the same for the same salt, name and value.
        let slow = EnvironmentFingerprint.value(salt: 7, name: Array("A".utf8), value: Array("b".utf8), key: nil)
        #expect(slow == EnvironmentFingerprint.value(salt: 7, name: Array("A".utf8), value: Array("b".utf8), key: nil))
        #expect(slow != EnvironmentFingerprint.value(salt: 8, name: Array("A".utf8), value: Array("b".utf8), key: nil))
        #expect(slow & EnvironmentFingerprint.keyedBit == 0)
    }
}
