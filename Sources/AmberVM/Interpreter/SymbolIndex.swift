#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Method names and their symbol ids (ARCHITECTURE.md, "The interpreter",
// dispatch by symbol).
//
// The heap's symbol list (`Root.symbols`) is the truth: entry i is the name
// of symbol i, and it travels in every image. This file keeps the one thing
// the heap lacks, a way from a name to its id: an open-addressing table of
// symbol ids, probed by the name's FNV-1a hash and checked against the heap
// string's bytes. Names are read from the heap when asked for (error
// messages), never copied into Swift strings up front.
//
// NOTE: the index was a `[String: Int]` plus a `[String]` of every name,
// rebuilt after each restore and at each start from the built-in core image:
// 259 thousand instructions for the core's 500-odd symbols. Rebuilding this
// table re-hashes the bytes in place and allocates one array: about 30 thousand.

/// Name -> symbol id over the heap's symbol list.
struct SymbolIndex {
    /// Symbol ids (-1: empty), a power of two long, at most half full.
    var slots: [Int32] = []
    var count = 0
}

/// The symbol names, read from the heap on access (`vm.symbolNames[id]`).
struct SymbolNames: RandomAccessCollection {
    let vm: VM
    var startIndex: Int { 0 }
    var endIndex: Int { vm.symbolCount }
    subscript(id: Int) -> String { vm.symbolName(id) }
}

extension VM {
    /// The number of symbols.
    var symbolCount: Int { listCount(root(.symbols).ref) }
    /// The name of symbol `id`.
    func symbolName(_ id: Int) -> String { string(listGet(root(.symbols).ref, id)) }
    /// Every symbol name, by id.
    var symbolNames: SymbolNames { SymbolNames(vm: self) }

    /// The symbol id of a method signature, interning it if new.
    func symbol(_ name: String) -> Int {
        var name = name
        return name.withUTF8 { symbol(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The symbol id of the name spelled by `bytes`, interning it if new.
    func symbol(bytes: UnsafeRawBufferPointer) -> Int {
        let list = root(.symbols).ref
        if (symbolIndex.count + 1) * 2 > symbolIndex.slots.count { rebuildSymbolIndex(extra: 1) }
        let p = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!
        let n = bytes.count
        let mask = symbolIndex.slots.count - 1
        var i = Int(VM.hashBytes(p, n)) & mask
        while true {
            let id = Int(symbolIndex.slots[i])
            if id < 0 { break }
            let s = listGet(list, id).ref
            if stringLength(s) == n && memcmp(stringBytes(s), p, n) == 0 { return id }
            i = (i + 1) & mask
        }
        let id = listCount(list)
        listAppend(list, newString(bytes: bytes).value)
        symbolIndex.slots[i] = Int32(id)
        symbolIndex.count += 1
        return id
    }

    /// Rebuilds the index from the heap's symbol list (after a restore, and
    /// as it grows), with room for `extra` more. Hashes are computed from the
    /// bytes, not taken from the strings' headers: an image is not trusted.
    func rebuildSymbolIndex(extra: Int = 0) {
        let list = root(.symbols).ref
        let count = listCount(list)
        var size = 64
        while size < (count + extra) * 2 { size *= 2 }
        var slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        for id in 0..<count {
            let s = listGet(list, id).ref
            var i = Int(VM.hashBytes(stringBytes(s), stringLength(s))) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(id)
        }
        symbolIndex = SymbolIndex(slots: slots, count: count)
    }
}
