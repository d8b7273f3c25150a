// Argument checks of the io module, with Wren CLI's messages.
import "io" for File, Directory, Stat, FileFlags
import "os" for Process

var path = "/tmp/amber_io_args_%(Process.pid).txt"
var check = Fn.new {|fn| System.print(Fiber.new(fn).try()) }

check.call { File.open(1) } // expect: Path must be a string.
check.call { File.create(null) } // expect: Path must be a string.
check.call { File.read([]) } // expect: Path must be a string.
check.call { File.size(1) } // expect: Path must be a string.
check.call { File.exists(1) } // expect: Path must be a string.
check.call { File.delete(1) } // expect: Path must be a string.
check.call { File.realPath(1) } // expect: Path must be a string.
check.call { Directory.list(1) } // expect: Path must be a string.
check.call { Directory.create(1) } // expect: Path must be a string.
check.call { Directory.delete(1) } // expect: Path must be a string.
check.call { Stat.path(1) } // expect: Path must be a string.
check.call { File.openWithFlags(path, "1") } // expect: Flags must be an integer.
check.call { File.openWithFlags(path, 1.5) } // expect: Flags must be an integer.
check.call { File.openWithFlags(path, -1) } // expect: Flags cannot be negative.

var file = File.create(path)
check.call { file.readBytes("1") } // expect: Count must be an integer.
check.call { file.readBytes(1.5) } // expect: Count must be an integer.
check.call { file.readBytes(-1) } // expect: Count cannot be negative.
check.call { file.readBytes(1, "0") } // expect: Offset must be an integer.
check.call { file.readBytes(1, 0.5) } // expect: Offset must be an integer.
check.call { file.readBytes(1, -2) } // expect: Offset cannot be negative.
check.call { file.writeBytes(1) } // expect: Bytes must be a string.
check.call { file.writeBytes("x", null) } // expect: Offset must be an integer.
check.call { file.writeBytes("x", -1) } // expect: Offset cannot be negative.
file.close()
check.call { file.readBytes(1) } // expect: File is not open.
check.call { file.writeBytes("x") } // expect: File is not open.
check.call { file.size } // expect: File is not open.
check.call { file.stat } // expect: File is not open.
File.delete(path)

File.open(path) // expect runtime error: no such file or directory
