@_spi(AmberInternals) import AmberObjects

// Module "ffi": foreign functions through libffi (ARCHITECTURE.md, "Foreign functions").
//
//   import "ffi" for Library, Callback, Memory, Pointer, Struct
//
// Off unless the VM allows it (`--allow-ffi`, `VMConfiguration.allowFFI`):
// the module's first statement fails otherwise, and Library.open/process check
// again, so a caught import error opens nothing. Script objects hold
// descriptions and registry indices only (FFIRuntime.swift); the natives
// below are thin: the call path is in FFICall.swift, Memory and Pointer in
// FFIMemory.swift (pointers kept in a Memory across a restore in
// FFIStoredPointers.swift, memory lent to C in FFILent.swift), callbacks in
// FFICallback+Run.swift and what C holds of them in FFITrampoline.swift.

extension VM {
    /// Typed accessors of Memory: `int8(offset)` / `setInt8(offset, value)`, ...
    static let ffiMemoryAccessors = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
                                     "float", "double", "pointer", "string"]

    static let ffiSource: String = {
        func params(_ n: Int) -> String { (0..<n).map { "a\($0)" }.joined(separator: ", ") }
        let calls = (0...16).map { "  foreign call(\(params($0)))" }.joined(separator: "\n")
        let invoke = (0...16).map { n in
            "    if (n == \(n)) return fn.call(\((0..<n).map { "a[\($0)]" }.joined(separator: ", ")))"
        }.joined(separator: "\n")
        let accessors = ffiMemoryAccessors.map { t in
            "  foreign \(t)(offset)\n  foreign set\(t.prefix(1).uppercased() + t.dropFirst())(offset, value)"
        }.joined(separator: "\n")
        // Each class pins its field layout (FFIField) with a constructor that
        // assigns the fields in order; the natives make the instances.
        return """
        class FFI_ {
          foreign static check_()
          foreign static enable_(classes)
        }
        FFI_.check_()

        class Library {
          construct new_() {
            _index = null
            _path = null
          }
          foreign static open(path)
          foreign static process
          foreign function(name, returnType, argumentTypes)
          foreign variadic(name, returnType, fixedTypes)
          path { _path }
          toString { _path == null ? "Library.process" : "Library(%(_path))" }
        }

        class Function {
          construct new_() {
            _index = null
            _name = null
          }
          name { _name }
          toString { "Function(%(_name))" }
        \(calls)
        }

        class Struct {
          construct new_() {
            _index = null
            _names = null
          }
          foreign static new(fields)
          names { _names }
          foreign size
          foreign alignment
          foreign offset(name)
          toString { "Struct(%(_names.join(", ")))" }
        }

        class Callback {
          construct new_() {
            _index = null
            _fn = null
          }
          foreign static new(returnType, argumentTypes, fn)
          fn { _fn }
          toString { "Callback" }
          static invoke_(fn, a) {
            var n = a.count
        \(invoke)
          }
          foreign static done_(value)
        }

        class Memory {
          construct new_() {
            _bytes = null
            _address = null
            _size = null
            _generation = null
          }
          foreign static alloc(size)
          foreign static fromString(string)
          foreign static view(pointer, size)
          foreign size
          foreign isView
        \(accessors)
          toString { "Memory(%(size) bytes)" }
        }

        class Pointer {
          construct new_() {
            _address = null
            _generation = null
          }
          foreign isNull
          foreign address
          foreign generation
          foreign ==(other)
          !=(other) { !(this == other) }
          foreign toString
        }

        FFI_.enable_([Library, Function, Callback, Memory, Pointer, Struct, Fn.new {|fn, args| Callback.done_(Callback.invoke_(fn, args)) }])
        """
    }()

    func registerFFIModule() {
        registerBuiltinModule("ffi", source: VM.ffiSource)

        foreign("ffi.FFI_.static check_()") { vm, a in
            guard vm.config.allowFFI else { return vm.fail(VM.ffiDisabledMessage) }
            return vm.ret(a, .null)
        }
        foreign("ffi.FFI_.static enable_(_)") { vm, a in
            guard vm.config.allowFFI else { return vm.fail(VM.ffiDisabledMessage) }
            if vm.ffiState() == nil {
                // [registry, saved fibers, classes, callback result]
                let state = vm.newList([.null, .null, a[1], .null])
                vm.setRoot(.ffi, state.value)
                vm.listSet(state, 0, vm.newList().value)
                vm.listSet(state, 1, vm.newList().value)
                vm.ffiTrackGeneration()
            }
            return vm.ret(a, .null)
        }

        registerFFILibraryNatives()
        registerFFIStructNatives()
        registerFFICallbackNatives()
        registerFFICallNatives()
        registerFFIMemoryNatives()
        registerFFIPointerNatives()
    }

    func ffiNewObject(_ c: FFIClass, _ fields: [Value]) -> Value {
        let o = newInstance(ffiClass(c))
        for (i, v) in fields.enumerated() { heap[o, i] = v }
        return o.value
    }

    func registerFFILibraryNatives() {
        func open(_ vm: VM, _ a: UnsafeMutablePointer<Value>, _ path: String?) -> Bool {
            let key = "library|" + (path ?? "")
            if let i = vm.ffi.indexByKey[key] {
                return vm.ret(a, vm.ffiNewObject(.library, [Value(i), path.map { vm.newString($0).value } ?? .null]))
            }
            let lib: FFILibrary
            do throws(FFIError) { lib = try vm.ffiOpenLibrary(path) } catch { return vm.fail(error.message) }
            let pathValue = path.map { vm.newString($0).value } ?? .null
            let i = vm.ffiRegister([vm.newString("library").value, pathValue], .library(lib), key: key)
            return vm.ret(a, vm.ffiNewObject(.library, [Value(i), pathValue]))
        }
        foreign("ffi.Library.static open(_)") { vm, a in
            guard vm.isString(a[1]) else { return vm.fail("Library path must be a String, not \(vm.ffiDescribe(a[1])).") }
            return open(vm, a, vm.string(a[1]))
        }
        foreign("ffi.Library.static process") { vm, a in open(vm, a, nil) }

        func bind(_ vm: VM, _ a: UnsafeMutablePointer<Value>, variadic: Bool) -> Bool {
            guard vm.isString(a[1]) else { return vm.fail("Function name must be a String, not \(vm.ffiDescribe(a[1])).") }
            let symbol = vm.string(a[1])
            let libIndex = vm.heap[a[0].ref, FFIField.index]
            guard let lib = vm.ffiIndexValue(libIndex), let library = vm.ffi.library(lib) else {
                return vm.fail("Library is not open.")
            }
            let ret: FFIType, args: [FFIType]
            do throws(FFIError) {
                ret = try vm.ffiParseType(a[2], allowVoid: true, "the return type of '\(symbol)'")
                args = try vm.ffiParseTypes(a[3], "argument", function: symbol)
            } catch { return vm.fail(error.message) }
            let retDesc = vm.ffiTypeDescription(ret, a[2])
            let key = "function|\(lib)|\(symbol)|\(ret)|\(args)|\(variadic)"
            if let i = vm.ffi.indexByKey[key] {
                return vm.ret(a, vm.ffiNewObject(.function, [Value(i), a[1]]))
            }
            let fn: FFIFunction
            do throws(FFIError) {
                fn = try vm.ffiBuildFunction(library: library, symbol: symbol, ret: ret, args: args, variadic: variadic)
            } catch { return vm.fail(error.message) }
            let argDesc = vm.ffiTypeList(args, a[3])
            let i = vm.ffiRegister([vm.newString("function").value, libIndex, a[1], retDesc, argDesc, Value(variadic)],
                                   .function(fn), key: key)
            return vm.ret(a, vm.ffiNewObject(.function, [Value(i), a[1]]))
        }
        foreign("ffi.Library.function(_,_,_)") { vm, a in bind(vm, a, variadic: false) }
        foreign("ffi.Library.variadic(_,_,_)") { vm, a in bind(vm, a, variadic: true) }
    }

    func registerFFIStructNatives() {
        foreign("ffi.Struct.static new(_)") { vm, a in
            let fields = a[1]
            guard fields.isObject, vm.heap.kind(fields.ref) == .list else {
                return vm.fail("Struct fields must be a List of [name, type] pairs, not \(vm.ffiDescribe(fields)).")
            }
            let n = vm.listCount(fields.ref)
            guard n > 0 else { return vm.fail("A Struct needs at least one field.") }
            var names: [String] = [], nameValues: [Value] = [], types: [FFIType] = [], typeValues: [Value] = []
            for i in 0..<n {
                let pair = vm.listGet(fields.ref, i)
                guard pair.isObject, vm.heap.kind(pair.ref) == .list, vm.listCount(pair.ref) == 2,
                      vm.isString(vm.listGet(pair.ref, 0)) else {
                    return vm.fail("Struct field \(i + 1) must be a [name, type] pair.")
                }
                let name = vm.string(vm.listGet(pair.ref, 0))
                guard !names.contains(name) else { return vm.fail("Struct field '\(name)' is declared twice.") }
                let tv = vm.listGet(pair.ref, 1)
                let t: FFIType
                do throws(FFIError) { t = try vm.ffiParseType(tv, allowVoid: false, "struct field '\(name)'") } catch { return vm.fail(error.message) }
                names.append(name); nameValues.append(vm.listGet(pair.ref, 0))
                types.append(t); typeValues.append(vm.ffiTypeDescription(t, tv))
            }
            let s: FFIStruct
            do throws(FFIError) { s = try FFIStruct(names: names, types: types, structs: vm.ffi.structure) } catch { return vm.fail(error.message) }
            let namesList = vm.newList(nameValues).value
            let i = vm.ffiRegister([vm.newString("struct").value, namesList, vm.newList(typeValues).value],
                                   .structure(s), key: nil)
            return vm.ret(a, vm.ffiNewObject(.structure, [Value(i), vm.newList(nameValues).value]))
        }
        func layout(_ vm: VM, _ a: UnsafeMutablePointer<Value>) -> FFIStruct? {
            let i = vm.heap[a[0].ref, FFIField.index]
            guard let k = vm.ffiIndexValue(i), let s = vm.ffi.structure(k) else { _ = vm.fail("Struct is not built."); return nil }
            return s
        }
        foreign("ffi.Struct.size") { vm, a in
            guard let s = layout(vm, a) else { return false }
            return vm.ret(a, Value(s.size))
        }
        foreign("ffi.Struct.alignment") { vm, a in
            guard let s = layout(vm, a) else { return false }
            return vm.ret(a, Value(s.alignment))
        }
        foreign("ffi.Struct.offset(_)") { vm, a in
            guard let s = layout(vm, a) else { return false }
            guard vm.isString(a[1]) else { return vm.fail("Field name must be a String, not \(vm.ffiDescribe(a[1])).") }
            let name = vm.string(a[1])
            guard let k = s.names.firstIndex(of: name) else {
                return vm.fail("Struct has no field '\(name)' (fields: \(s.names.joined(separator: ", "))).")
            }
            return vm.ret(a, Value(s.offsets[k]))
        }
    }

    func registerFFICallbackNatives() {
        foreign("ffi.Callback.static new(_,_,_)") { vm, a in
            let ret: FFIType, args: [FFIType]
            do throws(FFIError) {
                ret = try vm.ffiParseType(a[1], allowVoid: true, "the return type of a callback")
                args = try vm.ffiParseTypes(a[2], "argument", function: "callback")
            } catch { return vm.fail(error.message) }
            if ret == .string {
                return vm.fail("A callback cannot return a string (nothing would own its bytes); return a pointer.")
            }
            guard args.count <= 16 else { return vm.fail("A callback takes at most 16 arguments.") }
            guard vm.isClosure(a[3]) else { return vm.fail("Callback function must be a function, not \(vm.ffiDescribe(a[3])).") }
            let arity = vm.fnArity(vm.closureFn(a[3].ref))
            guard arity == args.count else {
                return vm.fail("Callback function takes \(arity) argument(s) but its signature has \(args.count).")
            }
            let index = vm.ffi.entries.count
            let cb: FFICallback
            do throws(FFIError) { cb = try vm.ffiBuildCallback(index: index, ret: ret, args: args) } catch { return vm.fail(error.message) }
            let retDesc = vm.ffiTypeDescription(ret, a[1])
            let argDesc = vm.ffiTypeList(args, a[2])
            let i = vm.ffiRegister([vm.newString("callback").value, retDesc, argDesc, a[3]], .callback(cb), key: nil)
            return vm.ret(a, vm.ffiNewObject(.callback, [Value(i), a[3]]))
        }
        foreign("ffi.Callback.static done_(_)") { vm, a in
            vm.listSet(vm.ffiState()!, 3, vm.newList([a[1]]).value)
            return vm.ret(a, .null)
        }
    }
}
