import { readFileSync } from 'node:fs';
import { SourceMapConsumer } from 'source-map';
const [file, src, ...ranges] = process.argv.slice(2);
const code = readFileSync(file, 'utf8'); const lines = code.split('\n');
const c = await new SourceMapConsumer(JSON.parse(readFileSync(file + '.map', 'utf8')));
const ms = []; c.eachMapping(m => ms.push(m));
ms.sort((a,b)=>a.generatedLine-b.generatedLine||a.generatedColumn-b.generatedColumn);
const out = ranges.map(()=>0);
for (let i=0;i<ms.length;i++){ const m=ms[i], n=ms[i+1]; if(!m.source||!m.source.endsWith(src)) continue;
 const end = n && n.generatedLine===m.generatedLine ? n.generatedColumn : lines[m.generatedLine-1].length;
 ranges.forEach((r,k)=>{const [a,b]=r.split('-').map(Number); if(m.originalLine>=a&&m.originalLine<=b) out[k]+=end-m.generatedColumn;});}
ranges.forEach((r,k)=>console.log(r, out[k]));
