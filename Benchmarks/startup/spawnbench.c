// spawnbench: start-up times with the commands taking turns, so a machine
// whose speed drifts (other load, frequency) treats every command alike;
// hyperfine runs one command's runs back to back. Standard output goes to
// /dev/null; the first 10 rounds are warm-up.
//
//   cc -O2 -o /tmp/spawnbench Benchmarks/startup/spawnbench.c
//   /tmp/spawnbench 600 .build/release/amber hello.wren -- /tmp/wren/bin/wren_test hello.wren
//
// Prints, per command, the median, tenth percentile, mean and minimum wall
// time in milliseconds (posix_spawn to waitpid).
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
extern char **environ;
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int argc,char**argv){
  int n=atoi(argv[1]); char**cmds[16]; int nc=0; int i=2;
  cmds[nc++]=&argv[i];
  for(;i<argc;i++) if(!strcmp(argv[i],"--")){argv[i]=NULL; cmds[nc++]=&argv[i+1];}
  double *t=malloc(sizeof(double)*n*nc);
  posix_spawn_file_actions_t fa; posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa,1,"/dev/null",O_WRONLY,0);
  for(int r=0;r<n+10;r++) for(int c=0;c<nc;c++){
    struct timespec a,b; clock_gettime(CLOCK_MONOTONIC,&a);
    pid_t pid; if(posix_spawn(&pid,cmds[c][0],&fa,NULL,cmds[c],environ)){perror("spawn");return 1;}
    int st; waitpid(pid,&st,0);
    clock_gettime(CLOCK_MONOTONIC,&b);
    if(r>=10) t[c*n+r-10]=(b.tv_sec-a.tv_sec)*1e3+(b.tv_nsec-a.tv_nsec)/1e6;
  }
  for(int c=0;c<nc;c++){ double*x=&t[c*n]; qsort(x,n,sizeof(double),cmp); double s=0; for(int k=0;k<n;k++)s+=x[k];
    printf("%-60s median %.3f  p10 %.3f  mean %.3f  min %.3f\n",cmds[c][0],x[n/2],x[n/10],s/n,x[0]); }
}
