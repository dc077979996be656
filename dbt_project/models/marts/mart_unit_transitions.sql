-- Where the people of each ended unit went (CONTRACT.md §4): everyone whose period in the
-- unit ended with the unit, by the unit of their period starting the next day. A gap, a
-- retirement and a missing list all read the same (no destination): the records cannot
-- tell them apart.
with

units as (

    select * from {{ ref('stg_reference__units') }}

),

successions as (

    select * from {{ ref('stg_reference__unit_successions') }}

),

periods as (

    select * from {{ ref('int_cadre_periods_dated') }}

),

ended_units as (

    select
        unit_code,
        valid_to as end_date
    from units
    where valid_to < {{ as_of_date() }}

),

leavers as (

    select
        ended_units.unit_code,
        ended_units.end_date,
        periods.person_key,
        periods.management_tier
    from ended_units
    inner join periods
        on ended_units.unit_code = periods.unit_code
            and ended_units.end_date = periods.valid_to

),

destinations as (

    select
        leavers.unit_code,
        leavers.end_date,
        leavers.person_key,
        leavers.management_tier,
        next_periods.unit_code as destination_code
    from leavers
    left join periods as next_periods
        on leavers.person_key = next_periods.person_key
            and next_periods.valid_from = {{ add_days('leavers.end_date', 1) }}

),

predecessors as (

    select distinct predecessor_code
    from successions

),

final as (

    select
        destinations.unit_code,
        destinations.destination_code,
        destinations.end_date,
        case
            when destinations.destination_code is null then null
            when predecessors.predecessor_code is null then null
            else successions.successor_code is not null
        end as is_successor,
        cast(count(distinct destinations.person_key) as bigint) as people_count,
        cast(count(distinct case
            when destinations.management_tier in (
                    {%- for tier in contract_values('key_cadre_tiers') %}
                        '{{ tier }}'{% if not loop.last %},{% endif %}
                    {%- endfor %}
                )
                then destinations.person_key
        end) as bigint) as key_cadres_count
    from destinations
    left join predecessors
        on destinations.unit_code = predecessors.predecessor_code
    left join successions
        on destinations.unit_code = successions.predecessor_code
            and destinations.destination_code = successions.successor_code
    group by
        destinations.unit_code,
        destinations.destination_code,
        destinations.end_date,
        predecessors.predecessor_code,
        successions.successor_code

)

select * from final
