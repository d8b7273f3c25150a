#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Object, Class, Bool, Null and System.

extension VM {
    /// Sets the result of a native and reports success.
    @inline(__always) func ret(_ args: UnsafeMutablePointer<Value>, _ v: Value) -> Bool {
        args[0] = v
        return true
    }

    func registerObjectNatives() {
        native("Object", "!") { vm, a in vm.ret(a, .false) }
        native("Object", "==(_)") { vm, a in vm.ret(a, Value(vm.valuesEqual(a[0], a[1]))) }
        native("Object", "!=(_)") { vm, a in vm.ret(a, Value(!vm.valuesEqual(a[0], a[1]))) }
        native("Object", "is(_)") { vm, a in
            guard a[1].isObject, vm.heap.kind(a[1].ref) == .classObj else {
                return vm.fail("Right operand must be a class.")
            }
            var c = vm.classOf(a[0])
            while !c.isNone {
                if c == a[1].ref { return vm.ret(a, .true) }
                c = vm.superclass(c)
            }
            return vm.ret(a, .false)
        }
        native("Object", "toString") { vm, a in
            vm.ret(a, vm.newString("instance of \(vm.className(vm.classOf(a[0])))").value)
        }
        native("Object", "type") { vm, a in vm.ret(a, vm.classOf(a[0]).value) }
    }

    func registerClassNatives() {
        native("Class", "name") { vm, a in vm.ret(a, vm.heap[a[0].ref, ClassLayout.name]) }
        native("Class", "supertype") { vm, a in vm.ret(a, vm.heap[a[0].ref, ClassLayout.superclass]) }
        native("Class", "toString") { vm, a in vm.ret(a, vm.heap[a[0].ref, ClassLayout.name]) }
        native("Class", "attributes") { vm, a in vm.ret(a, vm.heap[a[0].ref, ClassLayout.attributes]) }
        // A static method of Object, named after the class it is bound to.
        native("Object metaclass", "same(_,_)") { vm, a in vm.ret(a, Value(vm.valuesEqual(a[1], a[2]))) }
    }

    func registerBoolNullNatives() {
        native("Bool", "!") { vm, a in vm.ret(a, Value(a[0] != .true)) }
        native("Bool", "toString") { vm, a in vm.ret(a, vm.newString(a[0] == .true ? "true" : "false").value) }
        native("Null", "!") { vm, a in vm.ret(a, .true) }
        native("Null", "toString") { vm, a in vm.ret(a, vm.newString("null").value) }
    }

    func registerSystemNatives() {
        staticNative("System", "clock") { vm, a in vm.ret(a, Value(vm.monotonicSeconds())) }
        staticNative("System", "gc()") { vm, a in
            // Collects here and now, as Wren does (foreign finalizers have run
            // when it returns). The loop saved its registers before the call and
            // everything live is in the heap; the result goes into the fiber's
            // stack first, and the loop reloads because objects moved.
            // A young collection, unless the host has foreign finalizers: then a
            // full one, so every dead instance (old ones too) is finalized, as in Wren.
            _ = vm.finishReentrant(base: vm.stackIndex(a), result: .null)
            if !vm.collectGarbage(full: !vm.slotAPI.finalizers.isEmpty) { return vm.fail(vm.heapCorruption ?? "Out of memory.") }
            return false
        }
        staticNative("System", "writeString_(_)") { vm, a in
            guard vm.isString(a[1]) else { return vm.fail("Argument must be a string.") }
            // Wren hands its host each piece of output as a C string, so
            // output ends at a NUL byte ("a\0b" prints "a"); so does Amber's.
            let bytes = vm.stringBuffer(a[1].ref)
            vm.writeOutput(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.firstIndex(of: 0) ?? bytes.count)]))
            return vm.ret(a, a[1])
        }
    }

    /// Appends to the output buffer; flushed at each newline so interleaving with stderr stays right.
    func writeOutput(_ bytes: UnsafeRawBufferPointer) {
        // A host that takes output piece by piece (the C API's writeFn) gets it unbuffered, as Wren gives it.
        if let write = config.hostHooks.write { write(self, bytes); return }
        output.append(contentsOf: bytes)
        if output.count > 65536 || bytes.contains(10) { flushOutput() }
    }

    /// Writes out what scripts printed and is still buffered (a partial last line).
    public func flushOutput() {
        if hot.pointee.output.isEmpty { return }
        if let fd = config.outputDescriptor {
            if outputError == nil, case .failure(let e) = output.withUnsafeBytes({ port.standardStreams.write(fd, $0) }) {
                outputError = e
            }
        } else {
            config.writeOutput(String(decoding: output, as: UTF8.self))
        }
        output.removeAll(keepingCapacity: true)
    }
}
