@_spi(AmberInternals) import AmberObjects

// `amber -inspect:file=IMG`: what an image holds, without running any of it.
//
// The image is mapped and validated exactly as a restore does it (so a bad
// image gets the same clear error), but nothing is resolved or run. Every
// object read on the way is checked first (ImageValidation.swift), every walk
// is bounded, and values of environment variables are never shown: only the
// names the program read.

/// A JSON value, for `--json` (ordered objects, so the output is stable).
package indirect enum JSONValue: Equatable {
    case null, bool(Bool), number(Double), string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    package static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered == b.rendered }

    /// Compact JSON text.
    package var rendered: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return d.isFinite ? VM.formatNumber(d) : "null"
        case .string(let s): return JSONValue.quote(s)
        case .array(let items): return "[" + items.map(\.rendered).joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.map { JSONValue.quote($0.0) + ":" + $0.1.rendered }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

/// What `VM.inspectImage(at:)` found.
public struct ImageReport {
    /// The report as structured data (what `--json` prints).
    package var json: JSONValue
    /// The report as one JSON document (what `amber -inspect:file=IMG --json` prints).
    public var jsonText: String { json.rendered }
    /// The report for people.
    public var text: String
}

extension VM {
    /// Reads the image at `path` without running it. Throws like a restore for
    /// an image that is not one, or is corrupt.
    public static func inspectImage(at path: String) throws(ImageError) -> ImageReport {
        var config = VMConfiguration()
        config.writeOutput = { _ in }
        config.writeError = { _ in }
        let image = try restoreImage(from: path, configuration: config, verbose: false, verifyHeap: false,
                                     maxHeap: nil, resolvingNames: false)
        return image.vm.report(header: image.header, sections: image.sections, fileSize: image.fileSize)
    }

    func report(header h: ImageHeader, sections: ImageSections, fileSize: Int) -> ImageReport {
        var fields: [(String, JSONValue)] = []
        var text: [String] = []
        let created = h.createdWallClock
        let resume = h.resume == .snapshotTake ? "as the return of Snapshot.take"
            : "at the entry of the trigger method"
        let trigger = String(decoding: sections["trigger"] ?? [], as: UTF8.self)
        fields.append(("header", .object([
            ("format", .number(Double(h.formatVersion))),
            ("fingerprint", .string(String(h.fingerprint, radix: 16))),
            ("build", .string("amber 0.1.0 (Wren 0.4)")),
            ("created", .string(VM.utcTimestamp(created))),
            ("generation", .number(Double(h.generation))),
            ("signed", .bool(h.isSigned)),
        ])))
        text.append("image: format \(h.formatVersion), fingerprint \(String(h.fingerprint, radix: 16)), "
                    + "created \(VM.utcTimestamp(created)), generation \(h.generation)")
        // The inspector has no key: it says whether there is a signature, not whether it holds.
        text.append(h.isSigned ? "signed: HMAC-SHA-256 over the header, metadata and \(h.digestCount) chunk digests "
                                 + "(not checked here: restore with key= to check it)" : "signed: no")
        fields.append(("trigger", .string(trigger)))
        fields.append(("resumes", .string(resume)))
        text.append("trigger: \(trigger.isEmpty ? "(none: Snapshot.take or a host)" : trigger); resumes \(resume)")
        let metaLength = h.metaSection.length
        let heapBytes = heap.top
        fields.append(("sizes", .object([("file", .number(Double(fileSize))), ("header", .number(Double(ImageFormat.headerSize))),
                                         ("metadata", .number(Double(metaLength))), ("heap", .number(Double(heapBytes)))])))
        text.append("sizes: file \(fileSize) bytes, header \(ImageFormat.headerSize), metadata \(metaLength), heap \(heapBytes)")

        // Objects by class, walking the heap in address order.
        var byClass: [String: (count: Int, bytes: Int)] = [:]
        var fibers: [ObjRef] = []
        var scan = Heap.firstObject
        var objects = 0
        while scan + Heap.headerSize <= heap.top {
            let r = ObjRef(offset: UInt(scan))
            let size = heap.size(r)
            let kindByte = heap.base.load(fromByteOffset: scan, as: UInt8.self)
            guard size >= Heap.headerSize, size % 8 == 0, size <= heap.top - scan,
                  kindByte >= 1, kindByte <= UInt8(ObjKind.allCases.count) else {
                text.append("heap: malformed object at offset \(scan); restore with verify=full to check")
                break
            }
            let name: String
            switch heap.kind(r) {
            case .instance, .foreign:
                let c = heap.classOf(r).value
                name = isValidClass(c) ? className(c.ref) : "(bad class)"
            default:
                name = "\(heap.kind(r))"
            }
            if heap.kind(r) == .fiber { fibers.append(r) }
            byClass[name, default: (0, 0)].count += 1
            byClass[name, default: (0, 0)].bytes += size
            objects += 1
            scan += size
        }
        let top = byClass.sorted { $0.value.bytes != $1.value.bytes ? $0.value.bytes > $1.value.bytes : $0.key < $1.key }.prefix(20)
        fields.append(("objects", .object([("count", .number(Double(objects))), ("byClass", .array(top.map {
            .object([("class", .string($0.key)), ("count", .number(Double($0.value.count))),
                     ("bytes", .number(Double($0.value.bytes)))])
        }))])))
        text.append("objects: \(objects); the largest kinds by bytes:")
        for (name, v) in top { text.append("  \(name): \(v.count) objects, \(v.bytes) bytes") }

        // Modules and their variables.
        var modules: [JSONValue] = []
        text.append("modules:")
        // Every module starts with the core module's names; list only its own.
        var coreNames = Set<String>()
        let core = root(.coreModule)
        if isValidObject(core, .module), isValidList(heap[core.ref, ModuleLayout.variableNames]) {
            let names = heap[core.ref, ModuleLayout.variableNames].ref
            for j in 0..<listCount(names) where isValidString(listGet(names, j)) { coreNames.insert(string(listGet(names, j))) }
        }
        let table = root(.modules)
        if isValidMap(table) {
            for i in 0..<mapCapacity(table.ref) {
                guard let (k, m) = mapEntry(table.ref, i), isValidString(k), isValidObject(m, .module) else { continue }
                let names = heap[m.ref, ModuleLayout.variableNames]
                var variables: [String] = []
                if isValidList(names) {
                    for j in 0..<listCount(names.ref) where isValidString(listGet(names.ref, j)) {
                        variables.append(string(listGet(names.ref, j)))
                    }
                }
                let own = variables.filter { !coreNames.contains($0) }
                modules.append(.object([("name", .string(string(k))), ("variables", .array(own.map { .string($0) }))]))
                text.append("  \(string(k)): \(own.joined(separator: ", "))")
            }
        }
        fields.append(("modules", .array(modules)))

        // Fibers and where each stands.
        var fiberValues: [JSONValue] = []
        text.append("fibers: \(fibers.count)")
        for (n, f) in fibers.prefix(50).enumerated() {
            let trace = fiberTrace(f)
            fiberValues.append(.object([("current", .bool(f.value == root(.currentFiber))), ("frames", .array(trace.map { .string($0) }))]))
            text.append("  fiber \(n)\(f.value == root(.currentFiber) ? " (current)" : ""): "
                        + (trace.isEmpty ? "done" : trace.joined(separator: " <- ")))
        }
        fields.append(("fibers", .array(fiberValues)))

        // Script hooks.
        var hooks: [JSONValue] = []
        text.append("hooks:")
        let registry = root(.hooks)
        if isValidList(registry) {
            for i in 0..<listCount(registry.ref) {
                let e = listGet(registry.ref, i)
                guard isValidList(e), listCount(e.ref) >= 3, listGet(e.ref, 0).isNumber, listGet(e.ref, 1).isNumber else { continue }
                let kind = listGet(e.ref, 0).number == 0 ? "pre-snapshot" : "post-restore"
                let priority = listGet(e.ref, 1).number
                hooks.append(.object([("kind", .string(kind)), ("priority", .number(priority))]))
                text.append("  \(kind), priority \(formatNumber(priority))")
            }
        }
        fields.append(("hooks", .array(hooks)))

        // Names the restore resolves: natives and port implementations.
        let natives = boundNativeNames
        var ports: [(String, JSONValue)] = []
        let slots = root(.portSlots)
        if isValidMap(slots) {
            for i in 0..<mapCapacity(slots.ref) {
                guard let (k, v) = mapEntry(slots.ref, i), isValidString(k), isValidString(v) else { continue }
                ports.append((string(k), .string(string(v))))
            }
        }
        ports.sort { $0.0 < $1.0 }
        fields.append(("natives", .array(natives.map { .string($0) })))
        fields.append(("port", .object(ports)))
        text.append("natives: \(natives.count) (\(natives.prefix(8).joined(separator: ", "))\(natives.count > 8 ? ", ..." : ""))")
        text.append("port: " + ports.map { "\($0.0)=\($0.1.rendered.replacingQuotes)" }.joined(separator: ", "))

        // FFI libraries.
        var libraries: [JSONValue] = []
        let ffiRegistry = root(.ffi)
        if isValidList(ffiRegistry) {
            for i in 0..<listCount(ffiRegistry.ref) {
                let e = listGet(ffiRegistry.ref, i)
                guard isValidList(e), listCount(e.ref) >= 2, isValidString(listGet(e.ref, 0)),
                      string(listGet(e.ref, 0)) == "library" else { continue }
                let p = listGet(e.ref, 1)
                libraries.append(.string(isValidString(p) ? string(p) : "(process)"))
            }
        }
        if !libraries.isEmpty {
            fields.append(("ffiLibraries", .array(libraries)))
            text.append("ffi libraries: " + libraries.map { $0.rendered.replacingQuotes }.joined(separator: ", "))
        }

        // Environment variables the program read: names only.
        var envNames: [String] = []
        let reads = root(.envReads)
        if isValidMap(reads) {
            for i in 0..<mapCapacity(reads.ref) {
                guard let (k, _) = mapEntry(reads.ref, i), isValidString(k) else { continue }
                envNames.append(string(k))
            }
        }
        envNames.sort()
        fields.append(("environmentRead", .array(envNames.map { .string($0) })))
        text.append("environment variables read: \(envNames.isEmpty ? "none" : envNames.joined(separator: ", "))")
        return ImageReport(json: .object(fields), text: text.joined(separator: "\n") + "\n")
    }

    /// A fiber's frames, innermost first ("ready() at ./main line 3"), each read checked.
    func fiberTrace(_ f: ObjRef) -> [String] {
        guard heap.size(f) >= FiberLayout.size, isValidObject(heap[f, FiberLayout.frames], .frames) else { return [] }
        let framesObj = heap[f, FiberLayout.frames].ref
        let capacity = min(heap.word(framesObj, 0), (heap.size(framesObj) - 24) / (8 * FrameLayout.words))
        let count = heap.word(f, FiberLayout.frameCount)
        guard count >= 0, count <= capacity else { return ["(bad frame count)"] }
        let frames = framesPointer(f)
        var out: [String] = []
        var i = count - 1
        while i >= 0 && out.count < 40 {
            let offset = frames[i * FrameLayout.words]
            let ip = frames[i * FrameLayout.words + 1]
            i -= 1
            guard offset > 0, offset < heap.top else { out.append("(bad frame)"); continue }
            let closure = ObjRef(offset: UInt(offset)).value
            guard isValidObject(closure, .closure), isValidObject(heap[closure.ref, ClosureLayout.fn], .fn) else {
                out.append("(bad frame)"); continue
            }
            let fn = heap[closure.ref, ClosureLayout.fn].ref
            let name = isValidString(heap[fn, FnLayout.name]) ? string(heap[fn, FnLayout.name]) : "?"
            let module = heap[fn, FnLayout.module]
            let moduleName = isValidObject(module, .module) && isValidString(heap[module.ref, ModuleLayout.name])
                ? string(heap[module.ref, ModuleLayout.name]) : "core"
            let lineNumber = isValidObject(heap[fn, FnLayout.lines], .bytes) ? line(of: fn, at: max(0, ip - 1)) : 0
            out.append("\(name.isEmpty ? "(constructor)" : name) at \(moduleName) line \(lineNumber)")
        }
        return out
    }

    /// Seconds since the epoch as "YYYY-MM-DD hh:mm:ss UTC" (no libc, no locale).
    static func utcTimestamp(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e11 else { return "(invalid)" }
        let total = Int(seconds)
        let days = total / 86400, rest = total % 86400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719468
        let era = z / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) UTC"
    }
}

private extension String {
    /// A rendered JSON string without its quotes.
    var replacingQuotes: String { hasPrefix("\"") && hasSuffix("\"") && count >= 2 ? String(dropFirst().dropLast()) : self }
}
