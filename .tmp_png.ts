import { writeFileSync } from 'node:fs';
import { histogramPng, planePng } from './src/node/plotPng';
const res = 48; const v = new Float32Array(res*res);
for (let r=0;r<res;r++) for (let c=0;c<res;c++) { const x=-2+4*(c+.5)/res, y=2-4*(r+.5)/res; v[r*res+c]=Math.exp(-((x-1)**2+(y-1)**2)); }
const pts = (n:number,cx:number,cy:number)=>Float32Array.from({length:2*n},(_,i)=> (i%2?cy:cx)+ (Math.random()+Math.random()+Math.random()-1.5)*0.5);
writeFileSync('/tmp/viewpng/plane.png', planePng({kind:'plane',id:'p',title:'p',extent:[-2,2,-2,2],heat:{res,values:v,min:0,max:1,label:'D'},layers:[{name:'real',points:pts(5000,-1,0)},{name:'gen',points:pts(5000,1,1)}]}));
writeFileSync('/tmp/viewpng/hist.png', histogramPng({kind:'histogram',id:'h',title:'h',edges:Float32Array.from({length:21},(_,i)=>i/20),counts:Uint32Array.from({length:20},(_,i)=>Math.round(100*Math.exp(-((i-8)/4)**2))),xLabel:'x',marker:0.7}));
