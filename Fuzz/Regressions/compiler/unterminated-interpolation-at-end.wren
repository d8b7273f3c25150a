// error: Expect
var x = "a %(1 +