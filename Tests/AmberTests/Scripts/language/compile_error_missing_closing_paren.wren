System.print("one"
var x = 2 // expect error
