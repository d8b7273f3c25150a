{
  var local = 1
  var local = 2 // expect error
}
