// error: Expect
import "a" for B, C
class D is E { static f(g) { h.i[j] = k ? l : m || n } 