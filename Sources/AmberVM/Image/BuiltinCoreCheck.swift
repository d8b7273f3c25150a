#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberCoreImageHook
@_spi(AmberInternals) import AmberObjects

// What a restore need not check: the built-in core's objects an image still
// holds byte for byte (ARCHITECTURE.md, "The built-in core image").
//
// verify=header checks every class, method and function a resumed program
// reaches, and the core library is most of them: 2.9 of a small restore's
// 4.4 million instructions. But a VM booted from the built-in image keeps
// the core's objects where the image has them (full collections pin them
// below `Root.bootEnd`, Heap/Collector.swift), so an image of it holds the
// built-in heap at the same offsets, changed only where the program changed
// it. The built-in image passed the same checks when it was made and is part
// of the program, which is trusted. So an object of the image can go
// unchecked when its bytes are the built-in object's, and so are the bytes
// of everything it refers to, directly or not (a check reads through
// references: a class's methods, a closure's function, a function's
// constants): then its check would read exactly what the built-in one's did.
//
//   build time  `referrerIndex`: every object of the built-in heap, and who
//               refers to it, appended to the built-in image
//   restore     every built-in object compared with the image's bytes at its
//               offset; the changed ones, and everything that reaches them
//               (the referrers, transitively), are checked as before; the rest
//               is trusted: `TrustedCore`
//
// What the checks read besides the object graph must match too: the method
// names (a call's symbol, a native's owner), the native names (method table
// entries) and the core class roots; when any differs nothing is trusted.
// Anything new the program made is reached only through changed objects (an
// unchanged one refers to built-in offsets only), so it is checked.

/// The image's objects below the built-in core's end that need no check.
struct TrustedCore {
    /// Where the trusted objects start.
    private let starts: OffsetBitmap
    let end: Int
    /// How many of the built-in objects changed or reach a change (checked).
    let checked: Int
    let objects: Int

    init(starts: OffsetBitmap, end: Int, checked: Int, objects: Int) {
        self.starts = starts
        self.end = end
        self.checked = checked
        self.objects = objects
    }

    @inline(__always) func contains(_ offset: UInt) -> Bool {
        offset < UInt(end) && offset & 7 == 0 && starts.contains(Int(offset))
    }
}

/// The built-in image's object index, appended after its heap section:
///
///     "AMBREFS\0"
///     objects UInt32, edges UInt32
///     offsets        UInt32 x objects       each object's heap offset, ascending
///     firstReferrer  UInt32 x (objects + 1) where each object's referrers start in `referrers`
///     referrers      UInt32 x edges         object indices
enum CoreReferrerIndex {
    static let magic: [UInt8] = Array("AMBREFS".utf8) + [0]

    /// The index of `vm`'s heap (the core image's tool, after its last collection).
    static func make(_ vm: VM) -> [UInt8] {
        let heap = vm.heap
        var offsets: [Int] = []
        var scan = Heap.firstObject
        while scan < heap.top {
            offsets.append(scan)
            scan += heap.size(ObjRef(offset: UInt(scan)))
        }
        var index: [Int: Int] = [:]
        for (i, o) in offsets.enumerated() { index[o] = i }
        var referrers = [[UInt32]](repeating: [], count: offsets.count)
        for (i, o) in offsets.enumerated() {
            let r = ObjRef(offset: UInt(o))
            func refer(_ target: Int) {
                if let t = index[target], referrers[t].last != UInt32(i) { referrers[t].append(UInt32(i)) }
            }
            let cls = heap.classOf(r)
            if !cls.isNone { refer(Int(cls.offset)) }
            vm.forEachReference(r, { p in if p.pointee.isObject { refer(Int(p.pointee.ref.offset)) } },
                                raw: { p in refer(p.pointee) }, container: { c in refer(Int(c.offset)) })
        }
        var words: [UInt32] = [UInt32(offsets.count), UInt32(referrers.reduce(0) { $0 + $1.count })]
        words += offsets.map { UInt32($0) }
        var start: UInt32 = 0
        for list in referrers { words.append(start); start += UInt32(list.count) }
        words.append(start)
        for list in referrers { words += list }
        var bytes = magic
        for w in words { withUnsafeBytes(of: w.littleEndian) { bytes += $0 } }
        return bytes
    }
}

extension VM {
    /// The objects of this restored VM's heap that are the built-in core's own
    /// and reach only such objects, or nil when nothing can be trusted (no
    /// built-in image, another build's, an image not booted from it, or a
    /// change to what the checks read besides objects).
    func trustedBuiltinCore() -> TrustedCore? {
        var count = 0
        guard let image = amber_core_image_bytes(&count), count >= ImageFormat.headerSize else { return nil }
        func word(_ at: Int) -> Int { Int(truncatingIfNeeded: image.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        // The fields read raw: the header was checked when this VM's kind first booted from it
        // (a mismatch there compiles the core), here only the fingerprint matters.
        guard UInt64(truncatingIfNeeded: word(40)) == ImageFormat.fingerprint else { return nil }
        let heapOffset = word(64), end = word(72), rootOffset = word(88)
        guard heapOffset >= ImageFormat.headerSize, end > Heap.firstObject, heapOffset + end <= count,
              bootRegionEnd == end, heap.top >= end else { return nil }
        let builtin = image + heapOffset
        // The index, after the heap section.
        let indexAt = heapOffset + end
        guard indexAt + 16 <= count,
              memcmp(image + indexAt, CoreReferrerIndex.magic, CoreReferrerIndex.magic.count) == 0 else { return nil }
        let words = (image + indexAt + 8).assumingMemoryBound(to: UInt32.self)
        let n = Int(words[0]), edges = Int(words[1])
        guard indexAt + 16 + 4 * (2 * n + 1 + edges) <= count else { return nil }
        let offsets = words + 2, firstReferrer = offsets + n, referrers = firstReferrer + n + 1

        // 1. Which built-in objects are unchanged, byte for byte.
        let base = heap.base
        var changed = [Bool](repeating: false, count: n)
        var queue: [Int] = []
        var same = OffsetBitmap(below: end)
        for i in 0..<n {
            let o = Int(offsets[i])
            let size = (i + 1 < n ? Int(offsets[i + 1]) : end) - o
            if memcmp(base + o, builtin + o, size) == 0 {
                same.insert(o)
            } else {
                changed[i] = true
                queue.append(i)
            }
        }
        // 2. What the checks read besides objects: the core class roots, and
        // the built-in method and native names still first in their lists.
        func rootValue(_ r: Root) -> Value {
            builtin.load(fromByteOffset: rootOffset + Heap.headerSize + 8 * (ArrayLayout.first + r.rawValue), as: Value.self)
        }
        for raw in Root.coreModule.rawValue...Root.recordClass.rawValue {
            guard let r = Root(rawValue: raw), root(r) == rootValue(r) else { return nil }
        }
        func isSameStart(_ v: Value) -> Bool {
            v.isObject && Int(v.ref.offset) < end && same.contains(Int(v.ref.offset))
        }
        func fits(_ v: Value, _ kind: ObjKind, _ bytes: Int) -> Bool {
            guard v.isObject, Int(v.ref.offset) >= Heap.firstObject, Int(v.ref.offset) + Heap.headerSize <= heap.top,
                  heap.isKind(v.ref, kind) else { return false }
            let size = heap.size(v.ref)
            return size >= bytes && size <= heap.top - Int(v.ref.offset)
        }
        for r in [Root.symbols, .nativeNames] {
            // Lists in the built-in heap: checked when it was made.
            let builtinList = rootValue(r).ref
            let builtinCount = builtin.load(fromByteOffset: Int(builtinList.offset) + Heap.headerSize + 8 * ListLayout.count, as: Int.self)
            let builtinArray = builtin.load(fromByteOffset: Int(builtinList.offset) + Heap.headerSize + 8 * ListLayout.elements,
                                            as: Value.self).ref
            // The image's: shapes checked by ImageValidation before this runs.
            let list = root(r)
            guard fits(list, .list, ListLayout.size), heap.word(list.ref, ListLayout.count) >= builtinCount else { return nil }
            let array = heap[list.ref, ListLayout.elements]
            guard fits(array, .array, Heap.headerSize + 8 * (ArrayLayout.first + builtinCount)),
                  heap.word(array.ref, 0) >= builtinCount else { return nil }
            let mine = heap.slotPointer(array.ref) + ArrayLayout.first
            for i in 0..<builtinCount {
                let v = builtin.load(fromByteOffset: Int(builtinArray.offset) + Heap.headerSize + 8 * (ArrayLayout.first + i),
                                     as: Value.self)
                guard mine[i] == v, isSameStart(v) else { return nil }
            }
        }
        // 3. Whatever reaches a changed object is checked too.
        var checked = queue.count
        while let t = queue.popLast() {
            for e in Int(firstReferrer[t])..<Int(firstReferrer[t + 1]) {
                let r = Int(referrers[e])
                if r < n, !changed[r] {
                    changed[r] = true
                    checked += 1
                    queue.append(r)
                }
            }
        }
        var trusted = OffsetBitmap(below: end)
        for i in 0..<n where !changed[i] { trusted.insert(Int(offsets[i])) }
        return TrustedCore(starts: trusted, end: end, checked: checked, objects: n)
    }
}
