System.print(12 & 10) // expect: 8
System.print(12 | 10) // expect: 14
System.print(12 ^ 10) // expect: 6
System.print(~0) // expect: 4294967295
System.print(~5) // expect: 4294967290
System.print(1 << 4) // expect: 16
System.print(256 >> 3) // expect: 32
System.print(1 << 31) // expect: 2147483648
System.print(1 << 32) // expect: 1
System.print(-1 & 255) // expect: 255
System.print(0xFFFFFFFF >> 28) // expect: 15
System.print(5.9 | 0) // expect: 5
