import { ArrayMinSize, IsArray, IsString } from 'class-validator';
import { CommaSeparatedList } from './config-transforms.js';
import { validateConfig } from './config-validation.js';

class Hosts {
  @CommaSeparatedList()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  hosts: string[];
}

describe('CommaSeparatedList', () => {
  it('splits one comma-separated string into trimmed items', () => {
    expect(validateConfig(Hosts, { hosts: 'a:1, b:2,,c:3 ' }).config.hosts).toEqual(['a:1', 'b:2', 'c:3']);
  });

  it('splits the items of a list that contain commas and keeps the others', () => {
    expect(validateConfig(Hosts, { hosts: ['a:1,b:2', 'c:3'] }).config.hosts).toEqual(['a:1', 'b:2', 'c:3']);
  });

  it('keeps a plain list and still validates the items', () => {
    expect(validateConfig(Hosts, { hosts: ['a:1'] }).config.hosts).toEqual(['a:1']);
    expect(validateConfig(Hosts, { hosts: [1] }).issues.map((i) => i.path)).toContain('hosts');
    expect(validateConfig(Hosts, { hosts: ' , ' }).issues.map((i) => i.message).join()).toMatch(/at least 1|must contain/);
  });
});
