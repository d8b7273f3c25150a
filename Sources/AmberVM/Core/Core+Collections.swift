@_spi(AmberInternals) import AmberObjects

// List, Map and Range natives.

extension VM {
    func registerListNatives() {
        let list = "List"
        staticNative(list, "new()") { vm, a in vm.ret(a, vm.newList().value) }
        staticNative(list, "filled(_,_)") { vm, a in
            guard let n = vm.intArg(a, 1, "Size") else { return false }
            if n < 0 { return vm.fail("Size cannot be negative.") }
            guard vm.heap.canAllocate(n * 8 + 64) else { return vm.fail("Out of memory.") }
            let l = vm.newList(capacity: n)
            let p = vm.listElements(l)
            for i in 0..<n { p[i] = a[2] }
            vm.heap.setWord(l, ListLayout.count, n)
            return vm.ret(a, l.value)
        }
        native(list, "add(_)") { vm, a in
            guard vm.listAppend(a[0].ref, a[1]) else { return vm.fail("Out of memory.") }
            return vm.ret(a, a[1])
        }
        native(list, "addCore_(_)") { vm, a in
            guard vm.listAppend(a[0].ref, a[1]) else { return vm.fail("Out of memory.") }
            return true
        }
        native(list, "clear()") { vm, a in
            vm.heap.setWord(a[0].ref, ListLayout.count, 0)
            vm.heap[a[0].ref, ListLayout.elements] = .null
            return vm.ret(a, .null)
        }
        native(list, "count") { vm, a in vm.ret(a, Value(vm.listCount(a[0].ref))) }
        native(list, "insert(_,_)") { vm, a in
            let l = a[0].ref
            // Inserting at count appends.
            guard let i = vm.indexArg(a[1], vm.listCount(l) + 1, "Index") else { return false }
            guard vm.listInsert(l, i, a[2]) else { return vm.fail("Out of memory.") }
            return vm.ret(a, a[2])
        }
        native(list, "removeAt(_)") { vm, a in
            let l = a[0].ref
            guard let i = vm.indexArg(a[1], vm.listCount(l), "Index") else { return false }
            return vm.ret(a, vm.listRemove(l, at: i))
        }
        native(list, "indexOf(_)") { vm, a in
            let l = a[0].ref
            for i in 0..<vm.listCount(l) where vm.valuesEqual(vm.listGet(l, i), a[1]) { return vm.ret(a, Value(i)) }
            return vm.ret(a, Value(-1))
        }
        native(list, "swap(_,_)") { vm, a in
            let l = a[0].ref
            guard let i = vm.indexArg(a[1], vm.listCount(l), "Index 0"),
                  let j = vm.indexArg(a[2], vm.listCount(l), "Index 1") else { return false }
            let t = vm.listGet(l, i)
            vm.listSet(l, i, vm.listGet(l, j))
            vm.listSet(l, j, t)
            return vm.ret(a, .null)
        }
        native(list, "iterate(_)") { vm, a in
            let n = vm.listCount(a[0].ref)
            if a[1].isNull { return vm.ret(a, n == 0 ? .false : Value(0)) }
            guard a[1].isNumber else { return vm.fail("Iterator must be a number.") }
            guard a[1].number == a[1].number.rounded() else { return vm.fail("Iterator must be an integer.") }
            let i = a[1].number
            if i < 0 || i >= Double(n - 1) { return vm.ret(a, .false) }
            return vm.ret(a, Value(i + 1))
        }
        native(list, "iteratorValue(_)") { vm, a in
            let l = a[0].ref
            guard let i = vm.indexArg(a[1], vm.listCount(l), "Iterator") else { return false }
            return vm.ret(a, vm.listGet(l, i))
        }
        native(list, "[_]") { vm, a in
            let l = a[0].ref
            if a[1].isObject && vm.heap.kind(a[1].ref) == .range {
                guard let (start, count, step) = vm.rangeArg(a[1].ref, vm.listCount(l)) else { return false }
                let r = vm.newList(capacity: count)
                let src = vm.listElements(l), dst = vm.listElements(r)
                for j in 0..<count { dst[j] = src[start + j * step] }
                vm.heap.setWord(r, ListLayout.count, count)
                return vm.ret(a, r.value)
            }
            guard a[1].isNumber else { return vm.fail("Subscript must be a number or a range.") }
            guard let i = vm.indexArg(a[1], vm.listCount(l), "Subscript") else { return false }
            return vm.ret(a, vm.listGet(l, i))
        }
        native(list, "[_]=(_)") { vm, a in
            let l = a[0].ref
            guard let i = vm.indexArg(a[1], vm.listCount(l), "Subscript") else { return false }
            vm.listSet(l, i, a[2])
            return vm.ret(a, a[2])
        }
    }

    func registerMapNatives() {
        let map = "Map"
        staticNative(map, "new()") { vm, a in vm.ret(a, vm.newMap().value) }
        native(map, "[_]") { vm, a in
            guard vm.isValidKey(a[1]) else { return vm.fail("Key must be a value type.") }
            return vm.ret(a, vm.mapGet(a[0].ref, a[1]) ?? .null)
        }
        native(map, "[_]=(_)") { vm, a in
            guard vm.isValidKey(a[1]) else { return vm.fail("Key must be a value type.") }
            guard vm.mapSet(a[0].ref, a[1], a[2]) else { return vm.fail("Out of memory.") }
            return vm.ret(a, a[2])
        }
        native(map, "addCore_(_,_)") { vm, a in
            guard vm.isValidKey(a[1]) else { return vm.fail("Key must be a value type.") }
            guard vm.mapSet(a[0].ref, a[1], a[2]) else { return vm.fail("Out of memory.") }
            return true
        }
        native(map, "clear()") { vm, a in vm.mapClear(a[0].ref); return vm.ret(a, .null) }
        native(map, "containsKey(_)") { vm, a in
            guard vm.isValidKey(a[1]) else { return vm.fail("Key must be a value type.") }
            return vm.ret(a, Value(vm.mapFind(a[0].ref, a[1]) >= 0))
        }
        native(map, "count") { vm, a in vm.ret(a, Value(vm.mapCount(a[0].ref))) }
        native(map, "remove(_)") { vm, a in
            guard vm.isValidKey(a[1]) else { return vm.fail("Key must be a value type.") }
            return vm.ret(a, vm.mapRemove(a[0].ref, a[1]))
        }
        native(map, "iterate(_)") { vm, a in
            let m = a[0].ref
            let cap = vm.mapCapacity(m)
            var i = 0
            if !a[1].isNull {
                guard a[1].isNumber else { return vm.fail("Iterator must be a number.") }
                guard a[1].number == a[1].number.rounded() else { return vm.fail("Iterator must be an integer.") }
                if a[1].number < 0 { return vm.ret(a, .false) }
                i = VM.clampedInt(a[1].number) + 1
            }
            while i < cap {
                if vm.mapEntry(m, i) != nil { return vm.ret(a, Value(i)) }
                i += 1
            }
            return vm.ret(a, .false)
        }
        func entryArg(_ vm: VM, _ a: UnsafeMutablePointer<Value>) -> (Value, Value)? {
            let m = a[0].ref
            guard let i = vm.indexArg(a[1], vm.mapCapacity(m), "Iterator") else { return nil }
            guard let e = vm.mapEntry(m, i) else { _ = vm.fail("Invalid map iterator."); return nil }
            return e
        }
        native(map, "keyIteratorValue_(_)") { vm, a in
            guard let (k, _) = entryArg(vm, a) else { return false }
            return vm.ret(a, k)
        }
        native(map, "valueIteratorValue_(_)") { vm, a in
            guard let (_, v) = entryArg(vm, a) else { return false }
            return vm.ret(a, v)
        }
    }

    func registerRangeNatives() {
        let range = "Range"
        native(range, "from") { vm, a in vm.ret(a, vm.heap[a[0].ref, RangeLayout.from]) }
        native(range, "to") { vm, a in vm.ret(a, vm.heap[a[0].ref, RangeLayout.to]) }
        native(range, "min") { vm, a in
            vm.ret(a, Value(Swift.min(vm.heap[a[0].ref, RangeLayout.from].number, vm.heap[a[0].ref, RangeLayout.to].number)))
        }
        native(range, "max") { vm, a in
            vm.ret(a, Value(Swift.max(vm.heap[a[0].ref, RangeLayout.from].number, vm.heap[a[0].ref, RangeLayout.to].number)))
        }
        native(range, "isInclusive") { vm, a in vm.ret(a, vm.heap[a[0].ref, RangeLayout.inclusive]) }
        native(range, "iterate(_)") { vm, a in
            let r = a[0].ref
            let from = vm.heap[r, RangeLayout.from].number, to = vm.heap[r, RangeLayout.to].number
            let inclusive = vm.heap[r, RangeLayout.inclusive] == .true
            if from == to && !inclusive { return vm.ret(a, .false) }
            if a[1].isNull { return vm.ret(a, Value(from)) }
            guard a[1].isNumber else { return vm.fail("Iterator must be a number.") }
            var i = a[1].number
            if from < to {
                i += 1
                if i > to || (!inclusive && i == to) { return vm.ret(a, .false) }
            } else {
                i -= 1
                if i < to || (!inclusive && i == to) { return vm.ret(a, .false) }
            }
            return vm.ret(a, Value(i))
        }
        native(range, "iteratorValue(_)") { vm, a in vm.ret(a, a[1]) }
        native(range, "toString") { vm, a in
            let r = a[0].ref
            let s = vm.formatNumber(vm.heap[r, RangeLayout.from].number)
                + (vm.heap[r, RangeLayout.inclusive] == .true ? ".." : "...")
                + vm.formatNumber(vm.heap[r, RangeLayout.to].number)
            return vm.ret(a, vm.newString(s).value)
        }
    }
}
