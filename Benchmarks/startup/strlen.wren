// A C function through the ffi module (run with --allow-ffi).
import "ffi" for Library
var strlen = Library.process.function("strlen", "size_t", ["string"])
System.print(strlen.call("hello, ffi"))
