#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Module "random": the Random class of Wren's optional random module.
//
// The generator is WELL512a, as in Wren, so a seeded Random gives the same
// numbers as Wren's CLI on Linux:
//
//   Random.new(seed)         a Num seed fills the 16 state words the way C's
//                            srand(seed) + 16 × rand() does on glibc (emulated
//                            below, so the result does not depend on the host libc)
//   Random.new([a, b, ...])  up to 16 Nums, repeated cyclically to fill 16 words
//   Random.new()             16 words of OS entropy
//
// State lives in the instance's only field, `_state`: a List of 20 values,
//
//   [0..15]  the state words, one Num (0 ..< 2^32) per word
//   [16]     the index of the current word
//   [17]     true if the script gave a seed, false if it came from entropy
//   [18]     reseedOnRestore: true for entropy-seeded generators unless changed
//   [19]     the VM generation (restores behind the process) of the current seed
//
// Reseeding after a restore is lazy: a generator whose [18] is true and whose
// [19] is not this process's generation draws fresh entropy on its next use.
// So restores of one image produce different sequences, seeded generators keep
// theirs (the Random contract), and no restore step walks the heap (ARCHITECTURE.md, "Compensations").
// so the heap holds nothing but Nums, and a snapshot carries the sequence.

extension VM {
    // The module's layout puts each Fiber.abort on the line where Wren's own
    // random module has it, so stack traces name the same lines (they are
    // compared with Wren's byte for byte); the comments say why they are long.
    static let randomModuleSource = """
    class Random {
      construct new() {
        _state = Random.entropyState_()
      }

      // A seed is a number or a non-empty sequence of numbers; the same
      // seed gives the same numbers, here and in Wren.
      construct new(seed) {
        if (seed is Sequence) {
          if (seed.isEmpty) Fiber.abort("Sequence cannot be empty.")
          // A sequence gives the generator's state words directly: the
          // first 16 elements, each reduced to 32 bits.
          var words = []
          for (element in seed) {
            if (!(element is Num)) Fiber.abort("Sequence elements must all be numbers.")
            words.add(element)
            if (words.count == 16) break
          }
          _state = Random.wordsState_(words)
          return
        }
        // A number seeds the C library's generator (srand/rand of glibc,
        // written out in Swift), whose first 16 outputs are the state: the
        // numbers Wren's own random module draws from the same seed.
        //
        // The state is WELL512a (Chris Lomont's "Random Number Generation"):
        // 16 words and an index. It lives in the heap, so a snapshot keeps it
        // and a restored process goes on with the same sequence, unless the
        // generator was seeded from entropy (Random.new()), which a restore
        // draws again (see reseedOnRestore).
        //
        // Anything else is an error, reported here and not by the natives,
        // so that the trace points into this constructor.
        if (!(seed is Num)) Fiber.abort("Seed must be a number or a sequence of numbers.")
        _state = Random.numberState_(seed)
      }

      // Whether a restored process draws a fresh seed (default: only when unseeded).
      foreign reseedOnRestore
      foreign reseedOnRestore=(value)

      foreign sampleList_(list, count)
      foreign shuffleList_(list)

      foreign static entropyState_()
      foreign static numberState_(seed)
      foreign static wordsState_(words)

      // One element, at int(list.count).
      sample(list) {
        if (list.count == 0) Fiber.abort("Not enough elements to sample.")
        return list[int(list.count)]
      }
      sample(list, count) {
        if (count > list.count) Fiber.abort("Not enough elements to sample.")
        // Robert Floyd's sampling: for each of the last `count` positions j,
        // draw an index up to j; an index drawn before is replaced by j itself.
        // Small samples remember their picks in a map, large ones in a list.
        // Lists with a count in range take a native path that draws the same
        // numbers; other arguments take the Wren one.
        var fast = sampleList_(list, count)
        if (fast != null) return fast
        var picked = count * 4 < list.count ? {} : List.filled(list.count, false)
        var result = []
        for (j in list.count - count...list.count) {
          var index = int(j + 1)
          if (picked[index]) index = j
          picked[index] = true
          result.add(list[index])
        }
        return result
      }

      // float(): a Num in [0, 1) with 53 random bits; float(end) is
      // float() * end, float(start, end) is float() * (end - start) + start.
      foreign float()
      foreign float(end)
      foreign float(start, end)

      // int(): a Num in [0, 2^32); int(end) is (float() * end).floor,
      // int(start, end) is (float() * (end - start)).floor + start.
      foreign int()
      foreign int(end)
      foreign int(start, end)

      // Fisher-Yates, front to back (natively for Lists).
      shuffle(list) {
        if (shuffleList_(list)) return
        if (list.isEmpty) return
        for (i in 0...list.count - 1) {
          var j = int(i, list.count)
          var held = list[j]
          list[j] = list[i]
          list[i] = held
        }
      }
    }
    """

    static let randomStateCount = 20

    func registerRandomModule() {
        registerBuiltinModule("random", source: VM.randomModuleSource)

        foreign("random.Random.static entropyState_()") { vm, a in
            vm.ret(a, vm.newRandomState(vm.entropyWords(16), explicit: false))
        }
        foreign("random.Random.static numberState_(_)") { vm, a in
            guard a[1].isNumber else { return vm.fail("Seed must be a number or a sequence of numbers.") }
            var libc = LibcRandom(seed: RandomSeeding.word(a[1].number))
            let words = (0..<16).map { _ in libc.next() }
            return vm.ret(a, vm.newRandomState(words, explicit: true))
        }
        foreign("random.Random.static wordsState_(_)") { vm, a in
            guard a[1].isObject, vm.heap.kind(a[1].ref) == .list else {
                return vm.fail("Seed must be a number or a sequence of numbers.")
            }
            let given = vm.listValues(a[1].ref)
            if given.isEmpty { return vm.fail("Sequence cannot be empty.") }
            var words: [UInt32] = []
            for v in given.prefix(16) {
                guard v.isNumber else { return vm.fail("Sequence elements must all be numbers.") }
                words.append(RandomSeeding.word(v.number))
            }
            // Repeat the seeds given to fill the missing words.
            var i = 0
            while words.count < 16 { words.append(words[i]); i += 1 }
            return vm.ret(a, vm.newRandomState(words, explicit: true))
        }
        // The ranged forms compute what their Wren definitions (in the
        // comments above) would, errors included: the float is drawn first,
        // then the bounds are checked as Num's operators check them.
        foreign("random.Random.reseedOnRestore") { vm, a in
            guard let p = vm.randomState(a[0]) else { return false }
            return vm.ret(a, p[18])
        }
        foreign("random.Random.reseedOnRestore=(_)") { vm, a in
            guard a[1].isBool else { return vm.fail("Value must be a boolean.") }
            guard let p = vm.randomState(a[0]) else { return false }
            p[18] = a[1]
            p[19] = Value(vm.generation)
            return vm.ret(a, a[1])
        }
        foreign("random.Random.float()") { vm, a in
            guard let f = vm.randomFloat(a[0]) else { return false }
            return vm.ret(a, Value(f))
        }
        foreign("random.Random.float(_)") { vm, a in
            guard let f = vm.randomFloat(a[0]) else { return false }
            guard a[1].isNumber else { return vm.fail("Right operand must be a number.") }
            return vm.ret(a, Value(f * a[1].number))
        }
        foreign("random.Random.float(_,_)") { vm, a in
            guard let f = vm.randomFloat(a[0]), let (start, width) = vm.randomSpan(a) else { return false }
            return vm.ret(a, Value(f * width + start))
        }
        foreign("random.Random.int(_)") { vm, a in
            guard let f = vm.randomFloat(a[0]) else { return false }
            guard a[1].isNumber else { return vm.fail("Right operand must be a number.") }
            return vm.ret(a, Value((f * a[1].number).rounded(.down)))
        }
        foreign("random.Random.int(_,_)") { vm, a in
            guard let f = vm.randomFloat(a[0]), let (start, width) = vm.randomSpan(a) else { return false }
            return vm.ret(a, Value((f * width).rounded(.down) + start))
        }
        registerRandomListNatives()
        foreign("random.Random.int()") { vm, a in
            guard let state = vm.randomState(a[0]) else { return false }
            return vm.ret(a, Value(Double(Well512(state).next())))
        }
    }

    /// (float() * end).floor, as an index.
    @inline(__always)
    func randomIndex(_ state: UnsafeMutablePointer<Value>, below end: Int) -> Int {
        let well = Well512(state)
        let high = Double(well.next()) * 2097152.0
        let low = Double(well.next() & 0x1f_ffff)
        return Int(((high + low) / 9007199254740992.0 * Double(end)).rounded(.down))
    }

    func registerRandomListNatives() {
        // sample(list, count) for a List and an integer count in 0...list.count;
        // null (drawing nothing) for anything else.
        foreign("random.Random.sampleList_(_,_)") { vm, a in
            guard a[1].isObject, vm.heap.kind(a[1].ref) == .list, a[2].isNumber else { return vm.ret(a, .null) }
            let list = a[1].ref
            let n = vm.listCount(list)
            let c = a[2].number
            guard c == c.rounded(), c >= 0, c <= Double(n) else { return vm.ret(a, .null) }
            guard let state = vm.randomState(a[0]) else { return false }
            let count = Int(c)
            guard vm.heap.canAllocate(count * 8 + 128) else { return vm.fail("Out of memory.") }
            var picked = [Bool](repeating: false, count: n)
            let result = vm.newList(capacity: count)
            let out = vm.listElements(result)
            let elements = vm.listElements(list)
            for (k, j) in (n - count..<n).enumerated() {
                var index = vm.randomIndex(state, below: j + 1)
                if picked[index] { index = j }
                picked[index] = true
                out[k] = elements[index]
            }
            vm.heap.setWord(result, ListLayout.count, count)
            return vm.ret(a, result.value)
        }
        // shuffle(list) for a List: true when done, false (drawing nothing) otherwise.
        foreign("random.Random.shuffleList_(_)") { vm, a in
            guard a[1].isObject, vm.heap.kind(a[1].ref) == .list else { return vm.ret(a, .false) }
            let n = vm.listCount(a[1].ref)
            if n == 0 { return vm.ret(a, .true) }
            guard let state = vm.randomState(a[0]) else { return false }
            let elements = vm.listElements(a[1].ref)
            for i in 0..<(n - 1) {
                let j = vm.randomIndex(state, below: n - i) + i
                let held = elements[j]
                vm.heap.store(elements[i], at: elements + j)
                vm.heap.store(held, at: elements + i)
            }
            return vm.ret(a, .true)
        }
    }

    /// A state list for `words` (16 of them), starting at word 0.
    func newRandomState(_ words: [UInt32], explicit: Bool) -> Value {
        var values = words.map { Value(Double($0)) }
        values.append(Value(0))
        values.append(Value(explicit))
        values.append(Value(!explicit))
        values.append(Value(generation))
        return newList(values).value
    }

    /// The next float in [0, 1) of a Random instance, or nil with an error set.
    @inline(__always)
    func randomFloat(_ receiver: Value) -> Double? {
        guard let state = randomState(receiver) else { return nil }
        let well = Well512(state)
        // 32 bits, then 21 more: the 53 bits a double's mantissa holds.
        let high = Double(well.next()) * 2097152.0
        let low = Double(well.next() & 0x1f_ffff)
        return (high + low) / 9007199254740992.0
    }

    /// (start, end - start) for the two-bound forms, or nil with the error
    /// `end - start` would raise. (An `end` of a class with its own `-`
    /// operator is not called: the bounds must be Nums.)
    func randomSpan(_ a: UnsafeMutablePointer<Value>) -> (Double, Double)? {
        guard a[2].isNumber else {
            _ = fail("\(className(classOf(a[2]))) does not implement '-(_)'.")
            return nil
        }
        guard a[1].isNumber else {
            _ = fail("Right operand must be a number.")
            return nil
        }
        return (a[1].number, a[2].number - a[1].number)
    }

    /// The state words of a Random instance, or nil with an error set.
    func randomState(_ receiver: Value) -> UnsafeMutablePointer<Value>? {
        if receiver.isObject, heap.kind(receiver.ref) == .instance, heap.slotCount(receiver.ref) >= 1 {
            let state = heap.slotPointer(receiver.ref)[0]
            if state.isObject, heap.kind(state.ref) == .list, listCount(state.ref) == VM.randomStateCount {
                let p = listElements(state.ref)
                if p[18] == .true && p[19].number != Double(generation) {
                    // First use since this process was restored from an image: reseed.
                    for (i, w) in entropyWords(16).enumerated() { p[i] = Value(Double(w)) }
                    p[16] = Value(0)
                    p[19] = Value(generation)
                }
                return p
            }
        }
        _ = fail("Random generator is not initialized; create it with Random.new().")
        return nil
    }
}

/// WELL512a (Panneton, L'Ecuyer, Matsumoto) over a state list in the heap:
/// 16 words at [0..15], the current index at [16].
struct Well512 {
    let p: UnsafeMutablePointer<Value>
    init(_ p: UnsafeMutablePointer<Value>) { self.p = p }

    @inline(__always) func word(_ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: Int64(p[i].number)) }
    @inline(__always) func setWord(_ i: Int, _ w: UInt32) { p[i] = Value(Double(w)) }

    /// Advances the generator; returns the new 32-bit output.
    func next() -> UInt32 {
        let i = Int(p[16].number) & 15
        let z0 = word((i + 15) & 15)
        let v0 = word(i), vm1 = word((i + 13) & 15), vm2 = word((i + 9) & 15)
        let z1 = v0 ^ (v0 << 16) ^ vm1 ^ (vm1 << 15)
        let z2 = vm2 ^ (vm2 >> 11)
        let newV0 = z1 ^ z2
        setWord(i, newV0)
        let z3 = newV0 ^ ((newV0 << 5) & 0xda44_2d24)
        let next = (i + 15) & 15
        let out = z0 ^ (z0 << 2) ^ z1 ^ (z1 << 18) ^ (z2 << 28) ^ z3
        setWord(next, out)
        p[16] = Value(Double(next))
        return out
    }
}

/// glibc's rand() (the TYPE_3 additive feedback generator behind srand/rand),
/// reimplemented so that Random.new(seed) matches Wren on Linux everywhere.
struct LibcRandom {
    private var r = [UInt32](repeating: 0, count: 31)
    private var front = 3, rear = 0

    init(seed: UInt32) {
        let s = seed == 0 ? 1 : seed
        r[0] = s
        // r[i] = 16807 * r[i-1] mod (2^31 - 1), by Schrage's method, on the
        // seed taken as a signed 32-bit number.
        var word = Int(Int32(bitPattern: s))
        for i in 1..<31 {
            let hi = word / 127773, lo = word % 127773
            word = 16807 * lo - 2836 * hi
            if word < 0 { word += 2147483647 }
            r[i] = UInt32(truncatingIfNeeded: word)
        }
        for _ in 0..<310 { _ = next() }
    }

    mutating func next() -> UInt32 {
        r[front] = r[front] &+ r[rear]
        let out = r[front] >> 1
        front = front == 30 ? 0 : front + 1
        rear = rear == 30 ? 0 : rear + 1
        return out
    }
}

/// Where seeds come from (entropy: `VM.entropyWords`, through the port library).
enum RandomSeeding {
    /// A Num as C's (uint32_t) cast gives it on x86-64: truncated toward zero,
    /// then reduced modulo 2^32; out-of-range values give 0.
    static func word(_ d: Double) -> UInt32 {
        guard d.isFinite, abs(d) < 9.2e18 else { return 0 }
        return UInt32(truncatingIfNeeded: Int64(d))
    }

}

extension VM {
    /// `count` words from the port library's entropy slot.
    func entropyWords(_ count: Int) -> [UInt32] {
        let bytes = port.entropy(count * 4)
        return (0..<count).map { i in
            (0..<4).reduce(UInt32(0)) { w, k in w | UInt32(bytes[i * 4 + k]) << (8 * UInt32(k)) }
        }
    }
}
