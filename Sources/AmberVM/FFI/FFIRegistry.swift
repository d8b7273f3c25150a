#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFFI
@_spi(AmberInternals) import AmberObjects

// The registry: descriptions in the heap, built entries in the side table,
// kept index for index (see FFIRuntime.swift). `ffiBuild` turns one
// description into its entry; binding calls it for a new description, and a
// restore calls it for every description in the image, in order.

extension VM {
    /// The registry List (descriptions), state slot 0.
    func ffiRegistry() -> ObjRef { listGet(ffiState()!, 0).ref }

    static func capitalized(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// A signature type from a script value: a type name or a Struct.
    /// `description`: `v` comes from a registry description, where a struct is its index.
    func ffiParseType(_ v: Value, allowVoid: Bool, _ what: String, description: Bool = false) throws(FFIError) -> FFIType {
        if isString(v) {
            let name = string(v)
            guard let t = FFIType.names[name] else {
                throw FFIError("Unknown type '\(name)' for \(what) (types: \(FFIType.nameList)).")
            }
            if t == .void && !allowVoid { throw FFIError(VM.capitalized(what) + " cannot be void.") }
            return t
        }
        if ffiIs(v, .structure) {
            let i = heap[v.ref, FFIField.index]
            guard let k = ffiIndexValue(i), ffi.structure(k) != nil else { throw FFIError("\(what) is a Struct that is not built.") }
            return .structure(k)
        }
        if description, v.isNumber, v.number >= 0, v.number < Double(ffi.entries.count), ffi.structure(Int(v.number)) != nil {
            return .structure(Int(v.number))
        }
        throw FFIError(VM.capitalized(what) + " must be a type name (String) or a Struct, not \(ffiDescribe(v)).")
    }

    /// What the heap records for a type: the name, or the struct's registry index.
    func ffiTypeDescription(_ t: FFIType, _ original: Value) -> Value {
        if case .structure(let i) = t { return Value(i) }
        return original
    }

    /// Parses a List of types.
    func ffiParseTypes(_ v: Value, _ what: String, function: String) throws(FFIError) -> [FFIType] {
        guard v.isObject, heap.kind(v.ref) == .list else {
            throw FFIError("The argument types of '\(function)' must be a List, not \(ffiDescribe(v)).")
        }
        var out: [FFIType] = []
        for i in 0..<listCount(v.ref) {
            out.append(try ffiParseType(listGet(v.ref, i), allowVoid: false, "\(what) \(i + 1) of '\(function)'"))
        }
        return out
    }

    /// A List of type descriptions for the heap.
    func ffiTypeList(_ types: [FFIType], _ originals: Value) -> Value {
        newList(types.enumerated().map { ffiTypeDescription($0.element, listGet(originals.ref, $0.offset)) }).value
    }

    /// Appends a description and its built entry; returns the index.
    func ffiRegister(_ description: [Value], _ entry: FFIEntry, key: String?) -> Int {
        let i = ffi.entries.count
        ffi.entries.append(entry)
        listAppend(ffiRegistry(), newList(description).value)
        if let key { ffi.indexByKey[key] = i }
        return i
    }

    // MARK: Building entries

    /// Whether the allow-list (if any) admits `path` (nil: the running program).
    func ffiLibraryAllowed(_ path: String?) -> Bool {
        guard let allowed = config.allowedLibraries else { return true }
        guard let path else { return allowed.contains("process") }
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return allowed.contains(path) || allowed.contains(base)
    }

    func ffiOpenLibrary(_ path: String?) throws(FFIError) -> FFILibrary {
        guard config.allowFFI else { throw FFIError(VM.ffiDisabledMessage) }
        guard ffiLibraryAllowed(path) else {
            let list = (config.allowedLibraries ?? []).joined(separator: ",")
            if path == nil {
                throw FFIError("Library.process is not allowed by --allow-ffi=\(list) (add 'process' to the list to allow it).")
            }
            throw FFIError("Library '\(path!)' is not allowed by --allow-ffi=\(list).")
        }
        if let path {
            guard !path.isEmpty, !path.utf8.contains(0) else { throw FFIError("Library path must be a non-empty string without NUL bytes.") }
        }
        switch port.dynamicLibraries.open(path) {
        case .failure(let reason):
            throw FFIError("Cannot open library '\(path ?? "(process)")': \(reason.text).")
        case .success(let handle):
            return FFILibrary(path: path, handle: handle, close: port.dynamicLibraries.close)
        }
    }

    static let ffiDisabledMessage =
        "The ffi module is disabled: run amber with --allow-ffi (or --allow-ffi=lib1,lib2), or set VMConfiguration.allowFFI."

    /// C functions that free, unmap, remap or keep the memory they are
    /// given. Memory the VM owns (a Memory's heap bytes, a string argument's
    /// scratch copy, a Callback's code) is refused as their argument:
    /// `free(Memory.alloc(32))` returned, and the next malloc handed out
    /// bytes of the VM's heap. Which other functions keep a pointer they are
    /// given is C's contract (README, "Foreign functions").
    static let ffiKeepingFunctions: Set<String> = [
        "free", "cfree", "realloc", "reallocarray", "munmap", "mremap", "mprotect", "madvise",
        "putenv", "setbuf", "setbuffer", "setvbuf", "pthread_setspecific",
    ]

    func ffiBuildFunction(library: FFILibrary, symbol: String, ret: FFIType, args: [FFIType],
                          variadic: Bool) throws(FFIError) -> FFIFunction {
        guard !symbol.isEmpty, !symbol.utf8.contains(0) else { throw FFIError("Symbol name must be a non-empty string without NUL bytes.") }
        if variadic && args.isEmpty { throw FFIError("Variadic function '\(symbol)' needs at least one fixed argument.") }
        if args.count > 16 { throw FFIError("Function '\(symbol)' has \(args.count) arguments; at most 16 are supported.") }
        try ffi.checkByValue(ret: ret, args: args, "'\(symbol)'")
        let keeps = VM.ffiKeepingFunctions.contains(symbol)
        if keeps, let i = args.firstIndex(of: .string) {
            throw FFIError("'\(symbol)' frees, unmaps or keeps its arguments: declare argument \(i + 1) 'pointer', not 'string' (a string argument is a copy that lives only for the call).")
        }
        guard let address = port.dynamicLibraries.symbol(library.handle, symbol) else {
            throw FFIError("Library '\(library.path ?? "(process)")' has no symbol '\(symbol)'.")
        }
        return try FFIFunction(name: symbol, address: address, ret: ret, args: args, variadic: variadic, keeps: keeps,
                               retType: ffi.ffiType(ret), argTypes: args.map { ffi.ffiType($0) },
                               retSize: ffi.size(ret))
    }

    func ffiBuildCallback(index: Int, ret: FFIType, args: [FFIType]) throws(FFIError) -> FFICallback {
        try ffi.checkByValue(ret: ret, args: args, "A callback")
        var made: [Int: UnsafeMutablePointer<ffi_type>] = [:]
        let argTypes = args.map { ffi.permanentType($0, &made) }
        let retType = ffi.permanentType(ret, &made)
        let retSize: Int
        if case .structure = ret { retSize = ffi.size(ret) } else { retSize = 8 }
        let trampoline = try FFITrampoline(argTypes: argTypes, retType: retType, retSize: retSize)
        let cb = FFICallback(index: index, ret: ret, args: args, vm: self, trampoline: trampoline)
        // Before the code address reaches any script, so before C can call it.
        trampoline.callback = cb
        return cb
    }

    /// Builds entry `index` from its heap description (used by restore; binding
    /// builds from the script's values directly). Also reports what it built.
    func ffiBuild(_ d: ObjRef, index: Int) throws(FFIError) -> FFIEntry {
        guard listCount(d) >= 1, isString(listGet(d, 0)) else { throw FFIError("Registry entry \(index) is malformed.") }
        func types(_ v: Value, _ what: String) throws(FFIError) -> [FFIType] {
            guard v.isObject, heap.kind(v.ref) == .list else { throw FFIError("Registry entry \(index) is malformed.") }
            var out: [FFIType] = []
            for i in 0..<listCount(v.ref) { out.append(try ffiParseType(listGet(v.ref, i), allowVoid: false, what, description: true)) }
            return out
        }
        switch string(listGet(d, 0)) {
        case "library":
            let p = listGet(d, 1)
            return .library(try ffiOpenLibrary(isString(p) ? string(p) : nil))
        case "struct":
            let namesList = listGet(d, 1).ref
            let names = (0..<listCount(namesList)).map { string(listGet(namesList, $0)) }
            let ts = try types(listGet(d, 2), "a struct field")
            return .structure(try FFIStruct(names: names, types: ts, structs: ffi.structure))
        case "function":
            guard let lib = ffiIndexValue(listGet(d, 1)), let library = ffi.library(lib) else { throw FFIError("Registry entry \(index) names no library.") }
            let symbol = string(listGet(d, 2))
            let ret = try ffiParseType(listGet(d, 3), allowVoid: true, "the return type of '\(symbol)'", description: true)
            let args = try types(listGet(d, 4), "an argument of '\(symbol)'")
            return .function(try ffiBuildFunction(library: library, symbol: symbol, ret: ret, args: args,
                                                  variadic: listGet(d, 5) == .true))
        case "callback":
            let ret = try ffiParseType(listGet(d, 1), allowVoid: true, "the return type of a callback", description: true)
            let args = try types(listGet(d, 2), "a callback argument")
            return .callback(try ffiBuildCallback(index: index, ret: ret, args: args))
        default:
            throw FFIError("Registry entry \(index) is malformed.")
        }
    }
}
