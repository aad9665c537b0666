namespace Switchboard.Routing;

/// <summary>
/// Generic software-engineering (and everyday) vocabulary grouped into concepts. Nothing here is keyed to a
/// route name: a concept helps whichever route's name or description uses one of its words, so a route
/// described as "finding and fixing bugs" also attracts "traceback", "crashes" and "it hangs".
/// Entry syntax: words separated by whitespace; '+' joins a phrase ("walk+through"); '=w' sets a weight
/// (default 1). Entries are normalised like text (lower case, apostrophes dropped, Porter-stemmed).
/// </summary>
internal static partial class ConceptLexicon
{
    /// <summary>
    /// What a concept says about a request: the action asked for, the subject it is about, or mere evidence
    /// that it is about software at all (technology names: never scored against routes, only used to tell a
    /// coding request from small talk).
    /// </summary>
    internal enum Kind : byte { Action, Subject, Evidence }

    /// <summary>
    /// <paramref name="Within"/>: the broader activity this one is a kind of (refactoring is writing code, summarising is
    /// explaining): a route about the broader one covers it (activity coverage in <see cref="EmbeddedRouteSelector"/>).
    /// </summary>
    /// <param name="Miscellany">
    /// The words share nothing but what they are not (everyday subjects, not software): a request's words count for it,
    /// a route's do not, so one listed item ("a diet") does not make a route a match for all of them ("birthday", "kids").
    /// </param>
    internal sealed record Definition(string Name, Kind Kind, bool Software, string Entries, string? Within = null, bool Miscellany = false);

    /// <summary>Programming languages code is written in, ported to or translated into.</summary>
    private const string ProgrammingLanguages = """
        python javascript typescript java kotlin scala go golang rust ruby php swift csharp cpp fsharp haskell
        elixir erlang clojure lua perl bash powershell dart julia react vue angular svelte
        """;

    /// <summary>
    /// "translate this into Kotlin", "port it to Rust", "rewrite it in Go": a request for code in another
    /// language is a request for new code, whatever verb it opens with.
    /// </summary>
    private static readonly string LanguageTargets = string.Join(" ",
        ProgrammingLanguages.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(l => new[] { $"into+{l}=0.9", $"to+{l}=0.5", $"into+idiomatic+{l}=1", $"to+idiomatic+{l}=0.9", $"in+idiomatic+{l}=0.7", $"into+plain+{l}=0.9" }));

    internal static readonly Definition[] Definitions =
    [
        new("explain", Kind.Action, Software: false, """
            explain explanation explanations understand understanding clarify clarification purpose meaning
            mean=0.6 interpret=0.8 intuition=0.8 elaborate=0.8 teach=0.7 learn=0.5 confused=0.8 confusing=0.7
            walk+through=1.2 walk+me+through=1.3 what+does=1.1 what+do=0.7 how+does=1 how+do=0.5 how+it+works=1.2
            how+this+works=1.2 how+does+it+work=1.3 why+does=0.7 why+do=0.5 what+is=0.5 what+are=0.5 whats=0.4
            tell+me+how=1.2 tell+me+about=0.9 tell+me+what=0.9 tell+me+why=0.9 difference+between=1.1 differ=0.6
            difference=0.7 break+down=0.7 overview=0.6 help+me+understand=1.4 make+sense+of=1.1 how+come=0.7
            what+happens=0.9 when+does=0.5 when+it+runs=0.8 trace+through=1 control+flow=0.7 line+by+line=1
            in+plain+english=1.1 eli5=1.2 concept=0.5 dont+understand=1.4 not+sure+how=0.8 describe=0.4
            what+is+the+purpose=1.2 role+of=0.6 used+for=0.6 mean+by=0.8 why+you=0.8 why+did+you=1 why+is+it=0.4
            point+of=0.9 whats+the+point=1.1 one+over+the+other=1 when+would+i=0.6 when+would+you=0.6
            what+is+this=0.6 what+does+this=1.2 is+this+doing=1 how+to+read=0.8 keep+track=0.3 wrap+around=0.6
            is+used=0.4 used+here=0.8 used+in+this=0.9
            why+the=0.6 dont+get=1 i+dont+get=1.2 what+is+this+for=1.2 is+this+for=1 what+are+these+for=1
                        walkthrough=1.2 walk+me+through+the=1.2 explain+analyze=-1.5 explain+analyse=-1.5
"""),
        new("review", Kind.Action, Software: false, """
            review=1.2 reviewing=1.2 analyze analyse analysis assess assessment evaluate=0.8 evaluation=0.7
            critique audit inspect=0.8 examine=0.8 look+over=1 feedback code+review=1.3 readability=1.1
            readable=1 easier+to+read=1 clearer=0.8 clarity=0.8 idiomatic best+practice=0.6 best+practices=0.6
            smell=1 maintainable=0.8 maintainability=0.9 quality=0.7 correctness correct=0.5 is+this+correct=1
            unsafe=0.6 safe=0.4 anything+wrong=0.5 coverage=0.8 untested=1 edge+case=0.6 edge+cases=0.6
            improve=0.6 improvement=0.6 improvements=0.6 sanity+check=1 second+opinion=1 thread+safe=0.8
            anything+wrong+with=1.2 something+wrong+with=0.8 opinion+on=1 an+opinion=0.8 your+opinion=0.8 go+over=0.8
            thoughts+on=0.8 what+do+you+think=0.9 naming=1 nitpick=1 critique=1 point+out=0.6 spot=0.5
            comment+on=1.2 just+comment=1.2 comments+on=1 rate=0.6 pair+of+eyes=1 look+over=1 too+big=0.6 make+sense=0.5
            makes+sense=0.5 smelly=1 unidiomatic=1 complexity=1 time+complexity=1.2 space+complexity=1.2
            big+o=1.2 o+n=0.8 o+1=0.6 o+log=0.8 quadratic=0.8 asymptotic=1 style=0.6 code+style=1
                        explain+analyze=-1 explain+analyse=-1 just+to+look=1.2 just+look=1 only+look=1 broke+anything=1.5 break+anything=1.5 did+i+break=1.2
            does+this+look=1.2 look+right+to=1.2 look+ok=0.8 look+good+to=1 look+right+to+you=1.3 did+i+miss=1.2 i+missed=1
            what+would+you+change=1.3 would+you+change=1 sign+off+on=1 sign+off=0.6 approve=0.6 grade=0.6 too+clever=1
            second+look=1 take+a+look=0.6 check+my=1 double+check=1 check+whether=0.8 check+if=0.6 check=0.5 thoughts=0.6
"""),
        new("existing", Kind.Subject, Software: true, """
            existing current=0.5 this+code=1 this+function=1 this+snippet=1 this+class=1 this+method=1
            this+file=0.8 this+module=0.8 this+script=0.8 this+query=0.8 this+regex=0.8 my+code=0.9
            my+function=0.9 our+code=0.8 the+following=0.6 here+is=0.5 heres=0.5 these+two=0.6
            this+implementation=1 these+implementations=1 provided=0.5 legacy=0.8 codebase=0.6 this+snippet=1
            this+component=0.8 this+decorator=0.9 this+keyword=0.7 this+line=0.8 this+loop=0.8
                        this+repo=0.8 this+repository=0.8 our+repo=0.6
"""),
        new("generate", Kind.Action, Software: false, """
            write=0.8 create implement generate generation=1.1 build=0.7 make=0.35 produce=0.8 scaffold=1.1
            boilerplate=1.1 code+up=1 give+me=0.5 develop=0.6 construct=0.6 set+up=0.5 new=0.6 from+scratch=1
            template=0.5 stub=0.7 draft=0.5 compose=0.5 port=0.4 convert=0.4 add=0.7 need+a=0.4 need+an=0.4
            write+me=1 program+that=0.7 script+that=0.7 function+that=0.8 class+that=0.7
            that+takes=0.5 which+takes=0.5 requirements=0.5 requirement=0.5 snippet=0.5 snippets=0.5
            sample=0.4 prototype=0.7 mock+up=0.6 make+a=0.7 make+an=0.7 make+me=0.8
            go+build=-0.7 cargo+build=-0.7 run+build=-0.7 the+build=-0.7 my+build=-0.7 our+build=-0.7 build+fails=-0.7
            build+failed=-0.7 build+job=-0.7 build+step=-0.7 green+build=-0.7 red+build=-0.7 broken+build=-0.7 build+is=-0.7 put+together=0.9 whip+up=1 an+example=0.6 example+that=0.6 show+me+an+example=1 with+options=0.4
            turn+into=0.5 into+python=0.6 into+typescript=0.6 into+go=0.6 to+python=0.4
            func+that=0.8 fn+that=0.8 method+that=0.7 component+that=0.7 hook+that=0.7 endpoint+that=0.7
            func+to=0.5 fn+to=0.5 impl+of=0.6 an+impl=0.6 rewrite=0.4 rewrite+in=0.8 rewrite+it+in=0.9
            new+question=-0.6 quick+question=-0.6
            refactor=0.7 refactoring=0.6 restructure=0.5 rename=0.6 migrate+this=0.6 migrate+it=0.6 migrate+our=0.5 modernize=0.6 extract=0.6
            convert+this=0.6 convert+it=0.6 convert+the=0.5 to+async=0.6 split+the=0.5 pull+the=0.4
            apply=0.8 apply+all=1 apply+those=1 apply+these=1 apply+them=1 apply+the+changes=1 apply+the+suggestions=1
            replace=0.6 dedupe=0.7 deduplicate=0.7 into+one+helper=0.9 into+smaller=0.9 smaller+functions=1 smaller+ones=0.7
            increase+coverage=1.2 more+tests=0.9 tests+for=0.7 test+cases=0.6 cases+for=0.6 property+based=0.8
            """ + " " + LanguageTargets),
        new("artifact", Kind.Subject, Software: true, """
            code=0.7 snippet snippets function functions method=0.8 methods=0.8 class classes struct script scripts
            program=0.8 module=0.5 component=0.5 endpoint=0.7 controller=0.8 handler=0.7 cli=0.8 command=0.3
            flag=0.4 library=0.5 regex=0.9 schema=0.6 resolver=0.8 resolvers=0.8 makefile=1 dockerfile=0.8
            algorithm=0.8 interface=0.5 enum=0.8 hook=0.6 decorator=0.6 macro=0.6 lambda=0.6 parser=0.6 crud=1
            boilerplate=1 test=0.4 tests=0.4 api=0.4 query=0.3 variable=0.4 loop=0.4 recursion=0.5 recursive=0.5
            array=0.4 iterator=0.6 iterators=0.6 closure=0.6 callback=0.5 widget=0.5 bot=0.5 plugin=0.4
            implementation=0.5 implementations=0.5 sort=0.4 quicksort=0.8 binary+search=0.8 linked+list=0.8
            trie=0.6 stack=0.3 queue=0.3 hashmap=0.6 dictionary=0.3 type=0.3 file=0.2 files=0.2
            func=0.8 fn=0.7 impl=0.6 tuple=0.5 tuples=0.5 for+loop=0.6 while+loop=0.6 list+comprehension=0.8
            ternary=0.7 switch+statement=0.7 if+else=0.5 inheritance=0.5 mixin=0.5 getter=0.5 setter=0.5
                        apply=0.5 apply+all=0.9 apply+those=0.9 apply+these=0.9 apply+them=0.9 apply+your=0.8 apply+the+changes=1 apply+the+suggestions=1
            mutex=0.6 rwlock=0.6 semaphore=0.6 channel=0.4 lock=0.3
"""),
        new("design", Kind.Action, Software: true, """
            design=1.2 designing=1.2 architecture=1.5 architect=1.2 architectural=1.3 structure=0.9 structuring=0.9
            organize=0.9 organise=0.9 layout=0.6 layering=1.2 layer=1 layers=1 layered=1 topology=1.2 system=0.7
            systems=0.7 scalable=1 scale=0.8 scalability=1 scaling=0.8 microservice=1.2 microservices=1.2
            monolith=1.2 service=0.6 services=0.6 components=0.6 data+flow=1.2 dataflow=1 pipeline=0.6
            event+sourcing=1.3 event+driven=1.2 cqrs=1.2 message+broker=1 broker=0.8 queue=0.4 deployment=0.7
            infrastructure=0.9 region=0.8 regions=0.8 multi+region=1 failover=1.2 replication=1 sharding=1
            partitioning=0.8 high+availability=1.2 availability=0.6 load+balancer=0.8 caching=0.4 plan=0.6
            planning=0.8 strategy=0.7 approach=0.5 pattern=0.6 patterns=0.6 hexagonal=1.2 clean+architecture=1.2
            domain+driven=1.2 ddd=1 boundaries=0.8 boundary=0.7 bounded+context=1.2 decouple=0.8 decoupling=0.8
            coupling=0.6 modular=0.9 modules=0.6 plugin+architecture=1.3 high+level=0.8 big+picture=0.8
            blueprint=1 outline=0.6 roadmap=0.6 tradeoff=1 tradeoffs=1 trade+off=1 trade+offs=1 backend=0.6
            tech+stack=1.2 carve+up=1 carve+it+up=1.2 split+it+up=1 break+it+up=0.8 giant=0.4 multitenant=1 multi+tenant=1 tenancy=0.9 more+broadly=0.9 environments=0.5
            api+gateway=1 consistency=0.7 eventual+consistency=1.2 source+of+truth=1 data+model=1
            data+modeling=1 system+design=1.5 split+into=0.8 break+into=0.8 into+services=1.2 apis=0.5
            contract=0.5 contracts=0.5 how+should=0.8 how+would+you=0.6 what+would+you+use=0.8 flow=0.4
            design+doc=-1.2 design+docs=-1.2 design+document=-1.2 own+package=1.2 separate+package=1.2 own+module=1
            separate+module=1 own+service=1.2 separate+service=1.2 belong+in=0.8 where+should=0.8
            """),
        new("choice", Kind.Action, Software: false, Within: "design", Entries: """
            choose=1.2 choosing=1.2 choice=1 pick=0.8 which+one=0.7 which+is+better=1 which+should=1
            should+i+use=1.2 should+we+use=1.2 should+we=0.9 should+our=0.9 should+i=0.6 versus=1 vs=1
            compare=0.8 comparison=0.8 alternative=0.7 alternatives=0.7 or+should=0.8 recommend=0.7
            recommendation=0.7 best+way=0.8 good+idea=1 worth+it=0.8 decide=0.8 decision=0.8 technology=1
            technologies=1 framework=0.4 frameworks=0.5 when+to+use=0.8 better+to=0.7 prefer=0.5 options=0.4
            """),
        new("debug", Kind.Action, Software: true, """
            fix=1.2 fixing=1.2 bug=1.5 bugs=1.5 buggy=1.3 debug=1.5 debugging=1.5 error=1.2 errors=1.2
            exception=1.3 crash=1.5 crashes=1.5 crashing=1.5 fail=1 fails=1 failing=1.2 failed=1 failure=1
            broken=1.3 traceback=1.8 stack+trace=1.8 stacktrace=1.8 segfault=1.8 segmentation+fault=1.8 panic=1
            hang=1.2 hangs=1.2 hanging=1.2 freeze=1.2 freezes=1.2 stuck=1 leak=1.3 leaking=1.3 leaks=1.3
            deadlock=1.5 race+condition=1.2 wrong=1 incorrect=1 unexpected=1 unexpectedly=1 instead+of=0.5
            not+working=1.5 doesnt+work=1.5 does+not+work=1.5 isnt+working=1.5 stopped+working=1.5
            issue=0.6 issues=0.6 problem=0.6 problems=0.6 troubleshoot=1.2 troubleshooting=1.2 diagnose=1.2
            root+cause=1.2 regression=1 flaky=1.3 off+by+one=1.3 timeout=0.9 times+out=1.2 undefined=0.8
            null=0.5 nullpointerexception=1.5 nan=0.6 unable=0.5 throws=1 thrown=1 raises=0.7 warning=0.6
            permission+denied=1.3 oom=1.2 out+of+memory=1.5 heap+space=1.2 out+of+range=1.2 not+found=0.8
            no+such=0.8 forever=1 infinite=0.8 infinite+loop=1.3 keeps=0.6 even+though=0.8 after+i=0.5
            ever+since=0.7 suddenly=0.8 randomly=0.6 intermittent=1 intermittently=1 corrupt=1 corrupted=1
            mismatch=0.7 blocked=0.7 whats+wrong=1.2 what+is+wrong=1.2 where+is+the+bug=1.5 getting+an=0.4
            im+getting=0.6 i+get=0.4 cors=0.8 exit+code=1 returns+null=1 typo=0.8 doesnt+compile=1.5
            wont+compile=1.5 compile+error=1.5 syntax+error=1.5 type+error=1.2 build+fails=1.5 works+locally=1
            passes+locally=1 in+ci=0.5 rerender=0.6 re+render=0.6 re+renders=0.6 goes+wrong=1 went+wrong=1
            misbehaving=1 glitch=1 workaround=0.6 still=0.3 anymore=0.7 no+longer=0.8 why+is=0.4 why+does=0.3
            why+does+my=1.2 why+is+my=1.2 why+do+i+get=1.2 exit=0.6 exits=0.7 exited=0.8 killed=0.8 does+nothing=1.2
            nothing+happens=1.2 but+works=1 works+fine=0.6 blank+page=1 white+screen=1 crashed=1.5
            returns+none=1.5 returns+nil=1.5 prints+none=1.5 print+none=1.2 why+this=0.5 returns+undefined=1.2 returns+the+wrong=1.2 wrong+result=1.2
            doing+wrong=1.2 am+i+doing+wrong=1.5 used+to+work=1.5 used+to+be=0.8 worked+yesterday=1.5
            silently=0.8 twice=0.5 overlaps=0.8 overlap=0.6 collapses=0.8 looks+right=0.6 looks+fine=0.6
            cant+find=0.8 cant+resolve=1.2 cannot+find=0.8 rejected=0.8 complains=0.8 says=0.2 breaks=1
            breaking=0.8 broke=1 changed+nothing=1.2 nothing+changed=1.2 since+we=0.6 since+i=0.6
            one+at+a+time=0.5 run+together=0.5 out+of=0.3 ran+out=1 killed=1 never+fires=1.2 what+now=0.8
            over+and+over=0.8 doesnt+seem=1 dont+seem=1 didnt+seem=1 never+actually=0.8 not+actually=0.6
            stale=1 out+of+date+data=1 keeps+returning=1 keeps+happening=1 still+happens=1 still+getting=1 same+error=1.2 same+result=0.6
            anything+wrong=-0.6 anything+wrong+with=-0.6 sometimes=0.6 occasionally=0.7 every+now+and+then=0.8
            still+does=0.8 still+shows=0.8 still+returns=0.8 still+fails=1 still+slow=1
            ignored=0.7 are+ignored=1 is+ignored=1 gets+ignored=1 get+ignored=1 returns+0=1 returns+zero=1 returns+empty=1
                        getting+this=0.8 broke+anything=-0.8 break+anything=-0.8
            keep+restarting=1.5 keeps+restarting=1.5 restarting=1 restarts=0.8 restart+loop=1.5 crashloopbackoff=1.8
            oomkilled=1.8 stop+that=0.8 stop+this=0.8 prevent+that=0.8 prevent+this=0.8 real+problem=0.8
            this+look+right=-0.6 look+right+to=-0.6
            after+the+last+deploy=1 since+the+last+deploy=1 after+the+last+release=1 since+the+last+release=1 after+the+deploy=1 since+the+deploy=1 after+deploying=0.8 since+deploying=0.8
            after+the+upgrade=1 since+the+upgrade=1 after+upgrading=1 since+upgrading=1 after+the+update=0.8 since+the+update=0.8
"""),
        new("performance", Kind.Subject, Software: true, """
            slow=1.3 slower=1.2 slowly=1 sluggish=1 performance=1.2 perf=1 latency=1 throughput=0.8
            bottleneck=1.2 memory+usage=1 cpu=0.8 optimize=1 optimise=1 optimization=1 faster=1 speed+up=1.2
            speed=0.7 profile=0.5 profiler=1 profiling=1 pprof=1 efficient=0.6 efficiency=0.6 takes+minutes=1
            takes+forever=1.2 lag=0.8 high+memory=1 too+long=0.7 expensive=0.5 speed+it+up=1.2 seconds=0.3
            full+table+scan=1.2 table+scan=1 seq+scan=1.2 n+plus+one=1.2 slow+query=1.2 slow+queries=1.2
                        p99=1.2 p95=1.2 p90=1 p50=0.8 explain+analyze=1 explain+analyse=1
            memory+use=1 memory=0.6 ram=0.6 grows=0.5 growing=0.5 bring+it+down=0.6 hot+path=1.2
"""),
        new("test", Kind.Subject, Software: true, """
            test tests testing unit+test=1.2 unit+tests=1.2 integration+test=1.2 integration+tests=1.2 spec=0.5
            specs=0.5 coverage=0.8 assert=0.6 assertion=0.7 mock=0.8 mocks=0.8 fixture=0.7 pytest jest junit
            xunit supertest tdd e2e=0.8
            """),
        new("docs", Kind.Subject, Software: true, """
            document=1.2 documentation=1.5 docs=1.5 doc=1 readme=2 docstring=2 docstrings=2 javadoc=2 jsdoc=2
            tsdoc=2 rustdoc=2 pydoc=2 godoc=2 doxygen=2 xml+doc=1.5 comment=1.2 comments=1.2
            inline+comments=1.5 annotate=0.8 changelog=2 change+log=2 release+notes=2 release+note=2 guide=1.2
            tutorial=1.3 manual=1 wiki=1.3 how+to+guide=1.5 api+reference=1.5 api+docs=2 reference=0.5
            usage=0.5 usage+examples=1 onboarding=1 contributing=1.2 faq=1.2 getting+started=1.3
            for+other+developers=1 for+new+developers=1 for+users=0.7 for+the+team=0.6 write+up=1 writeup=1
            runbook=1.5 design+doc=1 man+page=1.5 help+text=1 docs+folder=2 section=0.3 concise=0.3
            specification=0.7 openapi=0.6 swagger=0.6 describe=0.3 examples=0.3 explain+in+the+docs=1.5
            docs+page=2 docs+site=2 doc+page=2 wiki+page=2 for+new+hires=1.2 for+newcomers=1 header+comments=1.5
            help+text=1.5 wording=1 paragraph=0.8 migration+guide=2 upgrade+guide=2 adr=1.5 decision+record=1.5
            usage+section=1.5 man+page=1.5 in+the+readme=2 for+the+docs=1.5 in+the+docs=1.5
            comment+on=-1.6 just+comment=-1.6 comments+on=-1.6
            in+a+docs+page=3 in+a+doc+page=3 in+a+wiki+page=3 in+the+wiki=2.5 in+our+wiki=2.5 in+our+docs=2.5
            in+the+docs=2.5 in+the+readme=3 in+our+readme=3 in+a+readme=3 to+the+readme=3 to+the+docs=2.5
            on+the+wiki=2.5 for+new+contributors=1.3 new+contributors=1 for+new+team+members=1.5 team+members=0.5
            for+newcomers=1.3 for+new+hires=1.3 for+the+team=0.8 for+our+users=0.8
                        in+a+comment=2.5 as+a+comment=2.5 in+a+docstring=2.5 as+a+docstring=2.5
            pr+description=2 pull+request+description=2
"""),
        new("refactor", Kind.Action, Software: true, Within: "generate", Entries: """
            refactor=1.5 refactoring=1.5 clean+up=1.2 cleanup=1.2 restructure=1 rename=1 simplify=1.2
            modernize=1.2 rewrite=0.8 migrate=0.8 extract=0.8 split+up=0.8 dedupe=1 deduplicate=1 tidy=1
            reorganize=0.8 duplication=1 duplicated=0.8
            """),
        new("translate", Kind.Action, Software: false, Within: "generate", Entries: """
            translate=1.5 translation=1.5 translating=1.5 translated=1.3 translator=1.2 localize=1.2
            localization=1.2 i18n=1.2 l10n=1.2 how+do+you+say=1.5 in+english=0.8 into+english=1.5
            english=0.7 french=1.2 spanish=1.2 german=1.2 italian=1.2 portuguese=1.2 japanese=1.2 chinese=1.2
            mandarin=1.2 korean=1.2 russian=1.2 arabic=1.2 hindi=1.2 dutch=1.2 polish=0.8 turkish=1.2
            swedish=1.2 language=0.5 languages=0.5 multilingual=1 foreign=0.8
            """),
        new("sql", Kind.Subject, Software: true, """
            sql=2 query=1 queries=1 select=0.5 join=0.8 joins=0.8 group+by=1.5 order+by=1 table=0.8 tables=0.8
            column=0.8 columns=0.8 row=0.4 rows=0.4 index=0.4 indexes=0.6 postgres=1 postgresql=1 mysql=1.2
            sqlite=1.2 sql+server=1.5 database=0.8 databases=0.8 db=0.6 orm=0.8 stored+procedure=1.5 cte=1.2
            aggregate=0.7 subquery=1.5 nosql=1 primary+key=1 foreign+key=1 schema=0.5 migration=0.5
                        explain+analyze=1.5 explain+analyse=1.5
"""),
        new("data", Kind.Subject, Software: false, """
            data=0.6 dataset=1 datasets=1 csv=0.6 pandas=1 dataframe=1.2 chart=1 charts=1 plot=0.8
            statistics=1 statistical=1 analytics=0.8 visualize=1 visualization=1 spreadsheet=1 excel=1
            numpy=0.8 median=0.8 distribution=0.6 machine+learning=1 ml=0.8 train=0.4 training=0.4 insights=0.8
            trends=0.8 metrics=0.6 dashboard=0.8
            """),
        new("summarize", Kind.Action, Software: false, Within: "explain", Entries: """
            summarize=1.5 summarise=1.5 summary=1.2 summaries=1.2 tldr=1.5 tl+dr=1.5 recap=1.2 condense=1
            shorten=0.8 key+points=1.2 main+points=1.2 gist=1 digest=0.6 brief=0.5 abstract=0.4 bullet+points=0.8
            """),
        new("chat", Kind.Subject, Software: false, """
            hi=0.8 hello=0.8 hey=0.8 joke=1.5 jokes=1.5 funny=1 how+are+you=1.5 hows+it+going=1.5 chat=1
            chitchat=1.5 small+talk=1.5 casual=0.8 trivia=1.2 fun=0.6 fact=0.5 facts=0.5 conversation=0.6
            opinion=0.5 everyday=0.8 personal=0.5 general+knowledge=1.5 greeting=1 greetings=1 tell+me+a=0.8
            advice=0.6 tips=0.4 feel=0.4 feeling=0.4 life=0.5
            """),
        // Everyday topics, each its own concept: a cooking route must not attract football questions.
        new("food", Kind.Subject, Software: false, """
            recipe=1.5 recipes=1.5 cooking=1.3 cook=1.2 meal=1.2 meals=1.2 ingredient=1.2 ingredients=1.2
            dish=1 dinner=1 lunch=1 breakfast=1 bake=1.2 baking=1.2 restaurant=1 vegetarian=1 vegan=1
            """),
        new("travel", Kind.Subject, Software: false, """
            travel=1.3 trip=1.2 vacation=1.3 holiday=1 flight=1 flights=1 hotel=1.2 itinerary=1.3 sightseeing=1.3
            tourist=1.2 visit=0.6 weekend+trip=1.5
            """),
        new("entertainment", Kind.Subject, Software: false, """
            movie=1.3 movies=1.3 film=1.2 films=1.2 music=1.2 song=0.8 songs=0.8 album=1 band=0.8 book=0.8
            books=0.8 novel=0.8 tv=1 series=0.6 show=0.4 celebrity=1
            """),
        new("sports", Kind.Subject, Software: false, """
            sports=1.3 sport=1.3 football=1.3 soccer=1.3 basketball=1.3 tennis=1.3 world+cup=1.5 olympics=1.5
            match=0.5 team=0.4 player=0.6 players=0.6 league=1 championship=1.2 who+won=1
            """),
        new("everyday", Kind.Subject, Software: false, """
            weather=1.5 forecast=1 birthday=1 gift=1 gifts=1 weekend=0.6 cat=0.6 dog=0.6 pet=0.6 pets=0.6
            capital+of=1 what+time=0.8 time+zone=0.5 tired=0.8 sleep=0.8 health=0.8 fitness=1 workout=1
            suggest+a+name=0.8 name+for+my=0.8
            party=1 exam=1 exams=1 homework=1 school=0.8 study=0.6 studying=0.6 garden=1 house=0.6 apartment=0.8
            wardrobe=1 closet=1 kitchen=0.8 family=0.6 kids=0.6 daughter=0.8 son=0.6 diet=1 budget+for+my=1
            """, Miscellany: true),
        new("creative", Kind.Subject, Software: false, """
            poem=1.5 poems=1.5 poetry=1.5 story=1.2 stories=1.2 lyrics=1.5 essay=1 creative=1.5 fiction=1.3
            haiku=1.5 novel=1 short+story=1.5 limerick=1.5 slogan=1 tagline=1 blog+post=1 marketing+copy=1.2
            copywriting=1.2 rhyme=1.2 narrative=1 fantasy=1 screenplay=1.2 letter=0.8 cover+letter=1.5 speech=1
            toast=0.8 invitation=0.8 marketing=0.6 resume=0.6 bio=0.6 wedding=1 greeting+card=1.5
            thesis=1.2 dissertation=1.2 introduction=0.5 conclusion=0.5 article=0.8 presentation=0.8 slides=0.6
            chapter=0.8 novel=1 plot=0.6 book+report=1.2 argument=0.3
            """),
        new("math", Kind.Subject, Software: false, """
            math=1.5 maths=1.5 mathematics=1.5 equation=1.3 equations=1.3 solve=0.6 derivative=1.5
            calculus=1.5 algebra=1.5 probability=1.3 proof=1.2 prove=1.2 theorem=1.5 calculate=1 compute=0.5
            arithmetic=1.3 geometry=1.5 matrix=0.8 percentage=0.8 formula=1 sum+of=0.6
            """),
        new("security", Kind.Subject, Software: true, """
            security=1.5 secure=1.2 vulnerability=1.5 vulnerabilities=1.5 vulnerable=1.3 exploit=1.2
            injection=1.2 sql+injection=1.5 xss=1.5 csrf=1.5 encrypt=0.8 encryption=0.8 secrets=0.8
            cve=1.5 threat+model=1.5 pentest=1.5 sanitize=1 sanitization=1 owasp=1.5 attack=1 attacker=1.2
            malicious=1.2 hardening=1.2 authentication=0.5 authorization=0.5
            """),
        new("devops", Kind.Subject, Software: true, """
            deploy=1 deployment=1 deploying=1 docker=1 container=0.8 containers=0.8 kubernetes=1.2 k8s=1.2
            helm=1.2 terraform=1.2 ansible=1.2 ci+cd=1.5 cicd=1.5 github+actions=1.5 jenkins=1.2 nginx=1
            infra=1 infrastructure=1 aws=0.8 azure=0.8 gcp=0.8 cloud=0.7 provisioning=1 monitoring=0.8
            observability=1 docker+compose=1.3 cron=0.6 devops=1.5
            """),
        // Operations: production incidents, what things cost, watching systems, infrastructure as code.
        new("incident", Kind.Subject, Software: true, """
            outage=1.5 outages=1.5 incident=1.5 incidents=1.5 is+down=1.2 went+down=1.2 are+down=1.2 down=0.5
            got+paged=1.5 was+paged=1.5 were+paged=1.5 pagerduty=1.5 opsgenie=1.5 on+call=1.2 oncall=1.2 sev1=1.5 sev2=1.5
            postmortem=1.2 post+mortem=1.2 roll+back=1 rollback=1 mitigate=1.2 mitigation=1.2 restore=0.8
            right+now=0.6 affected=0.6 customers+affected=1.2 emergency=1 urgent=0.8 asap=0.6 status+page=1.2
            production=0.5 prod=0.5 in+production=0.8 in+prod=0.8 failed+over=1 degraded=1 triage=1
            """),
        new("cost", Kind.Subject, Software: false, """
            cost=1.2 costs=1.2 cheaper=1.2 cheap=0.8 expensive=1 bill=1.2 billing=1.2 billed=1 spend=1.2
            spending=1.2 overspend=1.2 budget=1.2 budgets=1.2 savings=1.2 save+money=1.5 discount=1 pricing=1
            price=0.8 reserved+instances=1.5 savings+plan=1.5 spot+instances=1.5 committed+use=1.5 rightsize=1.5
            rightsizing=1.5 spend+less=1.5 cut+costs=1.5 invoice=0.6 money=0.8 dollars=0.6 idle=0.6
            """),
        // Everyday service domains (issue #17): what support desks, travel, finance, home and writing assistants route
        // on. Each a concept of its own, so a route described with one word of it matches requests using another.
        new("payment", Kind.Subject, Software: false, """
            invoice=1.2 invoices=1.2 receipt=1.2 receipts=1.2 refund=1.5 refunds=1.5 refunded=1.5 charge=1.2 charges=1.2
            charged=1.5 payment=1.3 payments=1.3 pay=0.8 paid=1 paying=0.8 subscription=1.2 subscriptions=1.2 renewal=1.2
            trial=0.8 money+back=1.5 credit+card=0.8 card=0.6 paypal=1.2 bank+transfer=1.2 vat=1 price=0.6
            bill=1 billed=1.2 billing=1.2 discount=0.8 cancel+my+subscription=1.5
            """),
        new("signin", Kind.Subject, Software: false, """
            login=1.3 log+in=1.5 logged+in=1.2 sign+in=1.5 signin=1.3 password=1.5 passwords=1.5 username=1.3
            locked=1.2 locked+out=1.5 unlock+my+account=1.5 two+factor=1.5 2fa=1.5 verification=1.2 verify=0.6 authenticator=1.5
            hacked=1.5 account=0.6 reset+link=1.3 verification+code=1.5 two+step=1.5 sign+in+with=1
            """),
        new("delivery", Kind.Subject, Software: false, """
            delivery=1.3 deliveries=1.3 deliver=1.2 delivered=1.3 shipping=1.3 ship=1.2 shipped=1.3 shipment=1.3
            parcel=1.5 parcels=1.5 courier=1.5 tracking=1.2 tracking+number=1.5 in+transit=1.5 arrive=1 arrived=1
            send+back=1.5 exchange=0.8 wrong+size=1.3 pick+up=0.8 damaged=1 my+order=1.3
           
            """),
        new("grievance", Kind.Subject, Software: false, """
            complaint=1.5 complaints=1.5 complain=1.5 escalate=1.5 escalation=1.5 manager=1 rude=1.5 disappointed=1.5
            unhappy=1.5 frustrated=1.5 ridiculous=1.2 worst=1.2 unacceptable=1.5 nobody=0.8 supervisor=1.2 formal+complaint=1.5
            treated=1 angry=1.5 feedback=0.6 service+has=0.8 no+one=0.6 never+called=1.2 someone+senior=1.5
            """),
        new("aviation", Kind.Subject, Software: false, """
            flight=1.5 flights=1.5 fly=1.3 flying=1.3 plane=1.3 airline=1.5 airlines=1.5 airport=1 baggage=1.5 luggage=1
            carry+on=1.5 checked+bag=1.5 seat=1 seats=1 layover=0.8 connecting+flight=1.5 boarding=1.3 round+trip=1.3
            one+way=0.8 direct+flight=1.5
            """),
        new("lodging", Kind.Subject, Software: false, """
            hotel=1.5 hotels=1.5 hostel=1.5 hostels=1.5 airbnb=1.5 apartment=1 room=0.8 rooms=0.8 resort=1.5 stay=1.2
            place+to+stay=1.5 check+in=0.6 check+out=0.5 booked+a=0.5 accommodation=1.5 neighborhood=1 neighbourhood=1 b+b=1.5
            """),
        new("sightseeing", Kind.Subject, Software: false, """
            itinerary=1.5 sightseeing=1.5 things+to+do=1.5 to+do+in=1.2 museum=1.3 museums=1.3 sights=1.5
            day+trip=1.5 hidden+gems=1.5 must+see=1.5 visit=0.8 visiting=0.8 tour=1 tours=1 beaches=1 tapas=1 eat=0.8
            seafood=1 restaurants=1 restaurant=1 plan+a=0.6 worth+it=0.8 weekend+in=1.2 days+in=1 route+through=1
            """),
        new("border", Kind.Subject, Software: false, """
            visa=1.5 visas=1.5 passport=1.5 passports=1.5 entry+requirements=1.5 esta=1.5 schengen=1.5
            vaccination=1.5 vaccinations=1.5 vaccine=1.3 yellow+fever=1.5 insurance=1.2 travel+insurance=1.5 citizens=1
            driving+permit=1.5 criminal+record=1.2 tourist=0.6 as+a+tourist=1
            """),
        new("transit", Kind.Subject, Software: false, """
            train=1.5 trains=1.5 bus=1.5 buses=1.5 taxi=1.5 taxis=1.5 uber=1.5 metro=1.5 subway=1.5 tram=1.5 car+rental=1.5
            rent+a+car=1.5 scooter=1.2 drive=0.5 driving=0.8 get+from=1.3 get+to=1 get+around=1.5 getting+around=1.5
            ferry=1.5 night+buses=1.5
            """),
        new("saving", Kind.Subject, Software: false, """
            budget=1.5 budgets=1.5 budgeting=1.5 save=0.6 saving=1.2 savings=1 spend=1 spending=1.3 debt=1.2 debts=1.2
            paycheck=1.5 emergency+fund=1.5 sinking+fund=1.5 groceries=0.6 cut+back=1.3 expenses=1 where+my+money=1.5
            track+spending=1.5 household=0.8 afford=0.6
            """),
        new("investment", Kind.Subject, Software: false, """
            invest=1.5 investing=1.5 investment=1.5 investments=1.5 stock=1 stocks=1.2 shares=1 etf=1.5 etfs=1.5 fund=1.2
            funds=1.2 index+fund=1.5 index+funds=1.5 portfolio=1.5 retirement=1.2 ira=1.5 roth=1.5 401k=1.5 bonds=1.3
            dividend=1.5 dividends=1.5 diversification=1.5 rebalance=1.5 bitcoin=1.2 crypto=1 gold=0.8 vanguard=1.5
            dollar+cost+averaging=1.5 emerging+markets=1 emerging+market=1
            """),
        new("taxation", Kind.Subject, Software: false, """
            tax=1.5 taxes=1.5 taxed=1.5 taxable=1.5 deduct=1.5 deduction=1.5 deductions=1.5 deductible=1.5 irs=1.5
            tax+return=1.5 tax+filing=1.5 file+my+taxes=1.5 file+taxes=1.5 return+label=1.5 self+assessment=1.5 capital+gains=1.5 refund=0.4 declare=1.2 hmrc=1.5
            """),
        new("lending", Kind.Subject, Software: false, """
            mortgage=1.5 mortgages=1.5 loan=1.5 loans=1.5 credit+score=1.5 credit+report=1.5 credit+card=1.2
            credit+cards=1.2 apr=1.5 refinance=1.5 interest+rate=0.8 balance+transfer=1.5 credit+limit=1.5
            down+payment=1.5 borrow=1.3 lender=1.5 late+payments=1.2 repayments=1.3 cashback=1 bad+credit=1.5
            """),
        new("markets", Kind.Subject, Software: false, """
            market=1 markets=1.3 stock+market=1.5 earnings=1.5 quarterly+results=1.5 inflation=1.5 fed=1.5
            interest+rates=1.2 economy=1.5 economic=1.3 recession=1.3 nasdaq=1.5 dow=1.5 s+p=1 unemployment=1.3
            oil=1 dollar=0.8 shares+fell=1.5 stock+price=1.5 rates+going=1 moved+the+markets=1.5
            """),
        new("appliance", Kind.Subject, Software: false, """
            light=1.5 lights=1.5 lamp=1.5 lamps=1.5 turn+on=1 turn+off=1 switch+on=1.2 switch+off=1.2 dim=1.5 plug=1.2
            blinds=1.5 garage+door=1.5 front+door=1.3 unlock=1 vacuum=1.5 oven=1.2 coffee+machine=1.5 scene=1.3
            brightness=1.5 on+in+the=0.6 everything+off=1.3
            """),
        new("heating", Kind.Subject, Software: false, """
            thermostat=1.5 heating=1.5 heat=1.3 heater=1.5 air+conditioning=1.5 ac=1.5 cooler=1.2 warmer=0.8 degrees=1.2
            temperature=1 freezing=1.2 too+hot=1.2 too+cold=1.2 fan=1 eco+mode=1.2 in+here=0.8 indoors=1 nursery=0.6
            """),
        new("playback", Kind.Subject, Software: false, """
            play=1.3 playing=1 music=1.5 song=1.5 songs=1.5 playlist=1.5 podcast=1.5 podcasts=1.5 radio=1.5 volume=1.5
            skip=0.6 next+track=1.5 pause=1.3 audiobook=1.5 netflix=1.5 tv=1.2 jazz=1.5 album=1
            put+on=0.8
            """),
        new("scheduling", Kind.Subject, Software: false, """
            timer=1.5 timers=1.5 alarm=1.5 alarms=1.5 remind=1.5 reminder=1.5 reminders=1.5 calendar=1.5 appointment=1.3
            meeting=1 wake+me=1.5 wake+me+up=1.5 schedule=0.5 tomorrow+at=1 at+pm=1 every+thursday=1.2
            """),
        new("errands", Kind.Subject, Software: false, """
            shopping+list=1.5 shopping=1.2 groceries=1.2 grocery=1.2 to+do+list=1.5 todo=1.5 my+list=1.5 the+list=1.3
            on+my+list=1.5 to+the+list=1.5 off+the+list=1.5 buy=0.8 milk=0.8 eggs=0.8 bread=0.6
            """),
        new("forecast", Kind.Subject, Software: false, """
            weather=1.5 forecast=1.5 rain=1.5 raining=1.5 snow=1.5 wind=1.3 windy=1.5 storm=1.5 umbrella=1.5 sunny=1.5
            jacket=0.8 outside=1.2 how+cold=1.3 how+hot=1.3 humid=1.5
            """),
        new("correctness", Kind.Subject, Software: false, """
            grammar=1.5 grammatical=1.5 grammatically=1.5 spelling=1.5 spell=1.3 spelled=1.3 spellcheck=1.5 typo=1.5
            typos=1.5 punctuation=1.5 commas=1.5 comma=1.5 apostrophe=1.5 proofread=1.5 proofreading=1.5 mistakes=1.2
            look+over=1 affect+or+effect=1.5
            """),
        new("restyle", Kind.Subject, Software: false, """
            reword=1.5 rephrase=1.5 paraphrase=1.5 tone=1.5 formal=1.3 polite=1.2
            professional=1 simpler=1.3 simplify=1.3 shorter=1.3 shorten=1.2 less+wordy=1.5 more+persuasive=1.5 sound+more=1.5
            sound+less=1.5 cut+this+down=1.5 plain+english=1.5 friendlier=1.3 confident=1
            """),
        new("correspondence", Kind.Subject, Software: false, """
            email=1 emails=1 letter=1.3 letters=1.3 reply=1 draft=1 cover+letter=1.3 resignation=1.5 out+of+office=1.5
            thank+you+email=1.5 recommendation+letter=1.5 message+to=1 follow+up+email=1.5 dear=1.2 to+my+landlord=1.2
            to+my+boss=1.2 to+my+neighbor=1.2 invitation=0.8
            """),
        new("monitoring", Kind.Subject, Software: true, """
            monitoring=1.2 monitor=1 monitors=1 metrics=1 metric=1 alert=1 alerts=1 alerting=1.2 alert+rule=1.5
            alert+rules=1.5 dashboard=0.6 dashboards=0.6 grafana=1.2 prometheus=1.2 datadog=1.2 loki=1 logs=0.6
            logging=0.6 observability=1.2 tracing=0.8 sli=1 slo=1 slos=1 uptime=0.8 error+rate=1 telemetry=1
            """),
        new("iac", Kind.Subject, Software: true, """
            terraform=1.5 pulumi=1.5 cloudformation=1.5 infrastructure+as+code=2 iac=1.5 provision=1
            provisioning=1 resources=0.4 vpc=0.8 security+group=1 bucket=0.6 ansible=1 bicep=1.5 cdk=1
            """),
        // A question as such: routes for "general knowledge questions" attract questions with nothing else in them.
        new("question", Kind.Subject, Software: false, """
            question=0.8 questions=0.8 ask=0.5 asking=0.5 wonder=0.8 wondering=0.8 curious=0.8 knowledge=0.6
            who+is=0.6 who+was=0.6 who+painted=1 who+wrote=1 who+invented=1 when+did=0.8 where+is=0.5
            new+question=1 quick+question=1 another+question=1 unrelated+question=1 different+question=1 side+question=1
            """),
        new("image", Kind.Subject, Software: false, """
            image=1.2 images=1.2 picture=1.2 pictures=1.2 photo=1.2 photos=1.2 draw=1 drawing=1
            illustration=1.2 logo=1 sketch=0.8 icon=0.8 visual=0.5 painting=1.2 portrait=1
            """),
        // Symptoms that only software has: evidence of a software request, scored through "debug" instead.
        new("symptom", Kind.Evidence, Software: true, """
            bug bugs buggy crash crashes crashing crashed exception exceptions traceback stack+trace stacktrace
            segfault segmentation+fault deadlock race+condition nullpointerexception flaky off+by+one
            compile+error syntax+error type+error doesnt+compile wont+compile build+fails memory+leak
            undefined null=0.6 nan=0.6 stack+overflow exit+code=0.8 core+dumped regression=0.6
            """),
        // Nouns of system design: evidence of a software request (scored through "design", not here).
        new("systems", Kind.Evidence, Software: true, """
            microservice microservices monolith service=0.6 services=0.6 scalable=0.6 scalability=0.8 topology
            data+flow event+sourcing event+driven cqrs message+broker broker=0.5 message+queue failover
            replication sharding sharded load+balancer api+gateway tech+stack multitenant multi+tenant
            backend frontend database databases cache caching=0.6 queue=0.4 queues=0.4 storage=0.5 saas
            """),
        // Names of technologies: evidence that a request is about software at all (no action of their own).
        new("technology", Kind.Evidence, Software: true, """
            python javascript js typescript ts java kotlin scala cpp csharp fsharp golang rust ruby php swift
            haskell elixir erlang clojure lua perl matlab bash shell zsh powershell html css sass react vue
            angular svelte nextjs node nodejs deno npm yarn pip cargo maven gradle webpack vite express nestjs
            django flask fastapi rails laravel spring+boot dotnet .net aspnet blazor linq unity godot redis
            mongodb kafka rabbitmq graphql grpc rest restful json yaml xml protobuf git github gitlab linux unix
            regex http https tcp websocket oauth jwt sdk compiler runtime jvm wasm gcc clang cmake argparse
            pytorch tensorflow jupyter serverless frontend fullstack repo repository commit rebase merge
            pull+request codebase goroutine goroutines thread threads mutex async await promise pointer
            pointers heap garbage+collector compile compiled binary executable dependency dependencies package
            import variable object boolean integer localhost server client config configuration env cli
            terminal stdout stderr useeffect usestate props dom jquery tailwind svg chmod sudo ssh curl
            webhook payload endpoint header headers cookie session login auth microservice kubernetes
            frontend backend app apps application website web mobile ios android browser software programming
            coding developer developers engineer code function class method api database bug stack heap
            decorator keyword syntax semantics runtime libraries library framework module package plugin
            nosql postgres postgresql mysql sqlite swiftui xcode android+studio vscode vim emacs ide lint
            linter eslint prettier typescript monorepo sdk cron latency safari chrome firefox edge button
            form forms submit navbar sidebar modal dropdown click onclick css page=0.5 screen=0.5 ui ux
            frontend scroll=0.5 render rendering pixel=0.5 viewport responsive=0.5 http api
            upload=0.5 download=0.5 script scripts query queries dashboard=0.5 log logs logging=0.8
            docker container pod pods deploy=0.8 deployment=0.5 cluster=0.8 cloud=0.8 aws gcp azure
            s3 ec2 vpc lambda terraform pulumi cloudformation prometheus grafana datadog ci pipeline=0.5
            prod=0.8 production=0.6 staging outage=0.6 instance=0.5 instances=0.5 vm=0.8 readme docstring
            docstrings jsdoc javadoc changelog unittest test=0.5 tests=0.5 snippet function=0.5 loop=0.5
            array=0.8 struct enum regex endpoint=0.8 module=0.6 decorator generator=0.6 tuple
            func fn impl args kwargs params param const int ints str bool dict slice=0.6 slices=0.6 vec
            worker workers cron+job batch+job background+job build+job nightly+job export=0.5 exports=0.5 pdf=0.5 csv=0.5 notification=0.5 notifications=0.5
            retry=0.6 retries=0.6 redux middleware kubectl
                        flutter sidekiq heroku
"""),
        // A build or a test run that fails, apart from code that misbehaves when it runs (issue #17, router13): a team's route
        // for "the build is red" or "won't compile" is not one for every bug. A subject, so it says what a failure is about.
        new("buildfail", Kind.Subject, Software: true, """
            compile+error=1.5 compile+errors=1.5 compiler+error=1.5 compiler+errors=1.5 compilation+error=1.5 compilation+failed=1.5
            doesnt+compile=1.5 wont+compile=1.5 does+not+compile=1.5 fails+to+compile=1.5
            build+fails=1.5 build+failed=1.5 build+failing=1.5 build+failure=1.5 build+broke=1.5 build+broken=1.5
            build+error=1.5 build+errors=1.5 broken+build=1.5 broken+builds=1.5 red+build=1.5 green+build=1.5 build+is+red=1.5
            build+breaks=1.5 fails+to+build=1.5 failed+to+build=1.5 linker=1.2 linker+error=1.5 linker+errors=1.5
            undefined+reference=1.5 ld+returned=1.5 type+checker=1 not+assignable=1.2
            could+not+resolve=1.5 unable+to+resolve=1.5 cant+resolve=1 cannot+resolve=1
            cannot+find+symbol=1.5 cannot+find+module=1.2 cannot+find+package=1.5 no+module+named=1.2 modulenotfounderror=1.2
            importerror=0.8 cannot+import+name=1.2 unresolved+import=1.5 dependency+conflict=1.5 dependency+conflicts=1.5
            conflicting+dependencies=1.5 version+conflict=1.5 version+conflicts=1.5 dependency+tree=1.2 peer+dependency=1.2
            eresolve=1.5 install+fails=1.5 install+failed=1.5 installs+fail=1.5 broken+package=1.2 broken+install=1.5
            broken+installs=1.5 fails+to+install=1.5 failed+to+install=1.5 cant+install=1.5 wont+install=1.5
            failing+test=1.2 failing+tests=1.2 failing+unit=1.2 failing+integration=1.2 test+fails=1.2 tests+fail=1.2
            test+failed=1.2 tests+failed=1.2 test+failing=1.2 tests+failing=1.2 flaky=1 flaky+test=1.5 flaky+tests=1.5
            test+suite+is+red=1.5 suite+is+red=1.5 broken+ci=1.5 ci+fails=1.5 ci+failed=1.5 ci+failing=1.5 ci+is+red=1.5
            pipeline+fails=1.5 pipeline+failed=1.5 pipeline+green=1.2 job+fails=1
            lint+fails=1.2 passes+locally=1 works+locally=0.6 passes+alone=1.2
            """),
    ];

    /// <summary>Words that carry no meaning on their own (still usable inside phrases).</summary>
    internal const string Stopwords = """
        a an the this that these those it its i im ive me my we our us you your he she they them their is are
        was were be been being am do does did doing have has had having will would shall should can could may
        might must to of in on at by for with from into onto about as than then so if or and but not no nor
        what which who whom whose when where why how all any both each few more most other some such only own
        same too very just also there here out up down over under again further once please thanks thank
        hi hey ok okay yes yeah sure now let lets get got go going want need like one two way thing things
        something anything everything someone somebody able really actually basically maybe kind sort bit
        lot well much many even still use using used make made give tell know think see look try help u pls plz
        throughout
        """;

    /// <summary>Words that, with punctuation, make up an acknowledgement: "ok thanks", "perfect, that works!".</summary>
    /// <summary>Gratitude: a short turn with one of these and no request in it closes the task ("great, that fixed it, thanks!").</summary>
    internal const string Gratitude = "thanks thank thx ty tysm appreciate appreciated cheers perfect awesome great";

    internal const string Acknowledgements = """
        ok okay k kk thanks thank thx ty tysm you great perfect cool nice awesome good got it sounds that this
        works worked lgtm bye cheers appreciate appreciated alright all right sure yes yep yeah yup fine
        wonderful excellent fantastic amazing brilliant much so very lol haha done makes sense clear helpful
        super neat sweet noted understood gotcha thats exactly what needed i was looking for the a lot
        again really just wow great job well
        """;

    /// <summary>Negators: within a short scope after them, requested actions are not requested ("don't change it").</summary>
    internal const string Negators = "not no dont never without nothing neednt dont+need no+need";

    /// <summary>State negators: "it doesn't respond", "won't compile" describe a symptom.</summary>
    internal const string StateNegators = "doesnt isnt wont cant cannot didnt wasnt arent werent couldnt never";

    /// <summary>Verbs that request a change or a new artifact: the ones a negation cancels.</summary>
    internal const string ActionVerbs = """
        write create implement generate add build make produce change modify rewrite refactor fix touch edit
        update alter document comment scaffold code develop redesign restructure rename optimize explain
        describe review analyze analyse summarize translate design
        put apply replace remove delete move extract dedupe check increase reduce mention
        """;

    /// <summary>
    /// Besides <see cref="ActionVerbs"/>, words that name an activity when they open an item of a route's description
    /// ("debugging crashes", "diagnosing defects"), where "error formats" or "crash reports" name a thing.
    /// </summary>
    internal const string ActivityNouns = "debug debugging diagnose diagnosing troubleshoot troubleshooting triage triaging";

    /// <summary>Words that end a negation's scope and start a new clause of intent.</summary>
    internal const string ClauseBreakers = "but just only instead rather and then also though however";

    /// <summary>Words that set what follows against what came before: "… eventually, but right now just add a flag".</summary>
    internal const string ContrastWords = "but instead rather however";

    /// <summary>Prepositions and relatives that end the object of a leading verb: "write [a guide] for …".</summary>
    internal const string ObjectEnders = """
        for about on of to in into with from that which using so when where because by without as like
        explaining describing showing covering who whose while after before via per
        """;

    /// <summary>Polite or filler openings skipped when looking for the leading verb of a request.</summary>
    internal const string LeadFillers = """
        please can could would will you i we me us let lets now also then ok okay so and but hey hi just
        quickly kindly need want like to help go ahead maybe first next finally great thanks thank cool
        alright right actually hmm well u pls plz
        """;

    /// <summary>
    /// Question frames whose next verb is the request's own: "how do I [fix] …", "what's the right way to [design] …".
    /// </summary>
    internal const string LeadFrames = """
        how+to way+to how+do+i how+do+we how+can+i how+can+we how+should+i how+should+we how+would+i how+would+we
        how+would+you how+could+i how+could+we how+do+you
        """;

    /// <summary>
    /// Nouns that announce the request before a colon ("My ask: write …", "The question: should …", "What I need now: …"):
    /// what the turn said before is background.
    /// </summary>
    internal const string RequestAnnouncers = "ask question task todo job request need want goal";

    /// <summary>
    /// Auxiliaries a yes/no question opens with: "is this thread safe?", "will it leak if …?", "does this handle …?".
    /// </summary>
    internal const string YesNoOpeners = """
        is are was were does do did will would can could should has have isnt doesnt arent wont cant didnt shouldnt wouldnt
        """;

    /// <summary>Question words that ask for a reason or a working ("why does this work?", "how does it know …?", "where is it set?").</summary>
    internal const string WhOpeners = "why how what whats where";

    /// <summary>Words marking a follow-up that leans on earlier turns: "now do the same for X".</summary>
    internal const string FollowUpMarkers = """
        same+for same+thing do+the+same the+other+one other+one as+well too again also+for similarly
        it them that+one those+too now+for what+about how+about one+that one+which another+one a+similar
        """;
}
