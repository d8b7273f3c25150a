var x = 1
if (x == 1) {
  break // expect error
}
