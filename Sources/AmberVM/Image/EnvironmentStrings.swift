#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Secrets from the environment never go into an image (ARCHITECTURE.md,
// "Compensations"; README, "Snapshot and restore").
//
// A string `Process.env` returns is MARKED: flag 1 in its header, and the
// variable's name stored inside the object, after room for the value:
//
//   +0   header (flags: 1 read from the environment, 2 derived from such a string)
//   +16  length | hash, as every string
//   +24  the value, NUL, zeros up to `capacity` bytes and a NUL
//   ...  the variable's name
//   -8   name length (UInt32), capacity (UInt32)
//
// A string made from a marked one by concatenation (`+`, interpolation and
// `join`, which use it) or by taking part of it is marked DERIVED (flag 2)
// with the same name. Both kinds stay marked as the collector moves them
// (the header moves with the object) and compare, hash and print as any string.
//
// At a snapshot, after the full collection (so only live strings are left):
//   a derived string fails the snapshot, naming the variable and a path from
//     a module variable to it; `Snapshot.transient` is the way to keep one
//   a read string is written with its bytes blanked, and listed in
//     `Root.envStrings`; the live process keeps its value
// At a restore, before any script code runs (RestoreEnvironment.swift), each
// listed string is filled in place from the restoring process's environment
// (env files included). The room kept for the value is twice its length at
// the read, at least 256 bytes: a longer value, or an unset variable, fails
// the restore naming the variable.

enum EnvironmentMark {
    static let read: UInt8 = 1
    static let derived: UInt8 = 2
}

extension VM {
    /// A string holding `value`, marked as read from variable `name` (or derived from it).
    /// nil when the heap cannot hold it.
    func newMarkedString(_ value: UnsafeRawBufferPointer, name: [UInt8], mark: UInt8) -> ObjRef? {
        let capacity = mark == EnvironmentMark.read ? max(2 * value.count, 256) : value.count
        let size = ((StringLayout.bytesOffset + capacity + 1 + name.count + 7) & ~7) + 8
        guard capacity < Int(UInt32.max), heap.canAllocate(size) else { return nil }
        let r = heap.allocate(.string, cls: stringClass, size: size)
        heap.setWord(r, 0, value.count)
        if value.count > 0 { memcpy(stringBytes(r), value.baseAddress!, value.count) }
        finishString(r)
        let p = heap.pointer(r)
        name.withUnsafeBytes { _ = memcpy(p + size - 8 - name.count, $0.baseAddress!, name.count) }
        p.storeBytes(of: UInt64(name.count) | UInt64(capacity) << 32, toByteOffset: size - 8, as: UInt64.self)
        heap.setFlags(r, mark)
        return r
    }

    /// The mark of string `r` (0 when it has none).
    @inline(__always) func environmentMark(_ r: ObjRef) -> UInt8 { heap.flags(r) & 3 }

    /// The variable a marked string came from, and the room for its value;
    /// nil when the object's tail does not describe one (a damaged image).
    func environmentSource(_ r: ObjRef) -> (name: [UInt8], capacity: Int)? {
        guard environmentMark(r) != 0 else { return nil }
        let size = heap.size(r)
        guard size >= StringLayout.bytesOffset + 8 + 8 else { return nil }
        let tail = heap.pointer(r).load(fromByteOffset: size - 8, as: UInt64.self)
        let nameLength = Int(tail & 0xffff_ffff), capacity = Int(tail >> 32)
        guard nameLength <= size, capacity <= size,
              StringLayout.bytesOffset + capacity + 1 + nameLength <= size - 8,
              stringLength(r) <= capacity else { return nil }
        let name = UnsafeRawBufferPointer(start: heap.pointer(r) + size - 8 - nameLength, count: nameLength)
        return (Array(name), capacity)
    }

    /// For a string made from `sources`: the name to mark it with, if any is marked.
    func derivedMark(_ sources: ObjRef...) -> [UInt8]? {
        for s in sources where environmentMark(s) != 0 { return environmentSource(s)?.name ?? Array("?".utf8) }
        return nil
    }

    // MARK: At a snapshot

    /// What the image must not hold, found after the full collection: an
    /// error naming the variable and where a derived string is held, else
    /// the read strings to blank (listed in `Root.envStrings`).
    func prepareEnvironmentStrings() -> Result<[(ObjRef, [UInt8])], ImageError> {
        var read: [ObjRef] = []
        var scan = Heap.firstObject
        while scan < heap.top {
            let r = ObjRef(offset: UInt(scan))
            if heap.isKind(r, .string), environmentMark(r) != 0 {
                if environmentMark(r) & EnvironmentMark.derived != 0 {
                    let name = String(decoding: environmentSource(r)?.name ?? [], as: UTF8.self)
                    return .failure(ImageError("Cannot take a snapshot: a string made from environment variable \(name) "
                        + "would be written into the image. \(name) is reachable from \(pathDescription(to: r)). "
                        + "Drop it before the snapshot, keep it in a Snapshot.transient box, or read the variable again after the restore."))
                }
                read.append(r)
            }
            scan += heap.size(r)
        }
        guard !read.isEmpty else { return .success([]) }
        setRoot(.envStrings, newList(read.map(\.value)).value)
        // Blanked in place (the image is written from the heap's own pages); the values are put back after.
        return .success(read.map { r in
            let saved = Array(stringBuffer(r))
            memset(stringBytes(r), 0, saved.count)
            heap.setWord(r, 0, 0)
            finishString(r)
            return (r, saved)
        })
    }

    /// Puts back the values `prepareEnvironmentStrings` blanked (the image is written).
    func restoreEnvironmentStrings(_ saved: [(ObjRef, [UInt8])]) {
        for (r, bytes) in saved { fillString(r, bytes) }
        setRoot(.envStrings, .null)
    }

    /// Writes `bytes` into marked string `r`, whose room the caller checked.
    private func fillString(_ r: ObjRef, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { if !$0.isEmpty { memcpy(stringBytes(r), $0.baseAddress!, $0.count) } }
        stringBytes(r).storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
        heap.setWord(r, 0, bytes.count)
        finishString(r)
    }

    // MARK: At a restore

    /// Fills every string the image lists from this process's environment.
    /// Returns an error message naming the variable, or nil.
    func refillEnvironmentStrings() -> String? {
        let list = root(.envStrings)
        guard list.isObject else { return nil }
        guard isValidList(list) else { return "The image's list of environment values is corrupt." }
        for i in 0..<listCount(list.ref) {
            let s = listGet(list.ref, i)
            guard isValidString(s), let (name, capacity) = environmentSource(s.ref) else {
                return "The image's list of environment values is corrupt (entry \(i))."
            }
            let shown = String(decoding: name, as: UTF8.self)
            guard let value = environmentVariable(name) else {
                return "Environment variable \(shown) was read before the snapshot and is not set now: "
                    + "the image holds a reference to it, not its value. Set it, or restore with an env file that does."
            }
            guard value.count <= capacity else {
                return "Environment variable \(shown) is \(value.count) bytes long now; the image kept room for "
                    + "\(capacity) (twice its length when read, at least 256)."
            }
            fillString(s.ref, value)
        }
        setRoot(.envStrings, .null)
        return nil
    }

    // MARK: Where a string is held

    /// "module main, variable header, element 2": the shortest path from a
    /// module variable (or another root) to `target`, found breadth first.
    func pathDescription(to target: ObjRef) -> String {
        var parent: [UInt: (from: UInt, step: String)] = [:]
        var queue: [ObjRef] = []
        var head = 0
        func visit(_ v: Value, from: UInt, _ step: @autoclosure () -> String) {
            guard v.isObject, parent[v.ref.offset] == nil, Int(v.ref.offset) < heap.top else { return }
            parent[v.ref.offset] = (from, step())
            queue.append(v.ref)
        }
        // Module variables first, so a path names one when there is one.
        let modules = root(.modules)
        if modules.isObject {
            for i in 0..<mapCapacity(modules.ref) {
                guard let (name, module) = mapEntry(modules.ref, i), module.isObject else { continue }
                let names = heap[module.ref, ModuleLayout.variableNames].ref
                let values = heap[module.ref, ModuleLayout.variables].ref
                for j in 0..<min(listCount(names), listCount(values)) {
                    visit(listGet(values, j), from: 0, "module \(string(name)), variable \(string(listGet(names, j)))")
                }
            }
        }
        for r in Root.allCases where r != .modules { visit(root(r), from: 0, "the VM's \(r)") }
        while head < queue.count, parent[target.offset] == nil {
            let r = queue[head]
            head += 1
            forEachDescribedReference(r) { v, step in visit(v, from: r.offset, step()) }
        }
        var steps: [String] = []
        var at = target.offset
        while let (from, step) = parent[at] {
            steps.append(step)
            if from == 0 { break }
            at = from
        }
        return steps.isEmpty ? "a place it cannot name" : steps.reversed().joined(separator: ", ")
    }

    /// The references of `r`, each with how it is held.
    private func forEachDescribedReference(_ r: ObjRef, _ body: (Value, @autoclosure () -> String) -> Void) {
        switch heap.kind(r) {
        case .list:
            for i in 0..<listCount(r) { body(listGet(r, i), "element \(i)") }
        case .map:
            for i in 0..<mapCapacity(r) {
                guard let (k, v) = mapEntry(r, i) else { continue }
                let key = k.isNumber ? "\(k.number)" : isString(k) && environmentMark(k.ref) == 0 ? "\"\(string(k))\"" : "a key"
                body(v, "the value for \(key)")
                body(k, "a key")
            }
        case .instance:
            let cls = heap.classOf(r)
            for i in 0..<heap.slotCount(r) { body(heap[r, i], "field \(i) of a \(className(cls))") }
        case .closure, .upvalue, .fiber, .classObj, .fn, .module, .array:
            forEachReference(r, { p in body(p.pointee, "inside a \(heap.kind(r))") }, raw: { _ in }, container: { _ in })
        default:
            break
        }
    }
}
