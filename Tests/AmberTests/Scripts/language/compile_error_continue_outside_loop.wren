// `continue` is only valid inside a while or for loop.
var n = 1
if (n > 0) continue // expect error
