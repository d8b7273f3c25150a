// io, os and timer, one function of each.
import "io" for File
import "os" for Platform
import "timer" for Timer
Timer.sleep(0)
System.print(File.exists("/no/such/file"))
System.print(Platform.isPosix)
