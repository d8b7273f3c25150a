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
        native(objectClass, "!") { vm, a in vm.ret(a, .false) }
        native(objectClass, "==(_)") { vm, a in vm.ret(a, Value(vm.valuesEqual(a[0], a[1]))) }
        native(objectClass, "!=(_)") { vm, a in vm.ret(a, Value(!vm.valuesEqual(a[0], a[1]))) }
        native(objectClass, "is(_)") { vm, a in
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
        native(objectClass, "toString") { vm, a in
            vm.ret(a, vm.newString("instance of \(vm.className(vm.classOf(a[0])))").value)
        }
        native(objectClass, "type") { vm, a in vm.ret(a, vm.classOf(a[0]).value) }
    }

    func registerClassNatives() {
        native(classClass, "name") { vm, a in vm.ret(a, vm.heap[a[0].ref, ClassLayout.name]) }
        native(classClass, "supertype") { vm, a in vm.ret(a, vm.heap[a[0].ref, ClassLayout.superclass]) }
        native(classClass, "toString") { vm, a in vm.ret(a, vm.heap[a[0].ref, ClassLayout.name]) }
        native(classClass, "attributes") { vm, a in vm.ret(a, vm.heap[a[0].ref, ClassLayout.attributes]) }
        let objectMeta = heap.classOf(objectClass)
        native(objectMeta, "same(_,_)") { vm, a in vm.ret(a, Value(vm.valuesEqual(a[1], a[2]))) }
    }

    func registerBoolNullNatives() {
        native(boolClass, "!") { vm, a in vm.ret(a, Value(a[0] != .true)) }
        native(boolClass, "toString") { vm, a in vm.ret(a, vm.newString(a[0] == .true ? "true" : "false").value) }
        native(nullClass, "!") { vm, a in vm.ret(a, .true) }
        native(nullClass, "toString") { vm, a in vm.ret(a, vm.newString("null").value) }
    }

    func registerSystemNatives() {
        staticNative(systemClass, "clock") { vm, a in vm.ret(a, Value(vm.monotonicSeconds())) }
        staticNative(systemClass, "gc()") { vm, a in
            // Collection happens at the next safe point, which is the return from here.
            vm.requestCollection()
            return vm.ret(a, .null)
        }
        staticNative(systemClass, "writeString_(_)") { vm, a in
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
        output.append(contentsOf: bytes)
        if output.count > 65536 || bytes.contains(10) { flushOutput() }
    }

    /// Writes out what scripts printed and is still buffered (a partial last line).
    public func flushOutput() {
        if output.isEmpty { return }
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
